import type { FastifyInstance } from 'fastify';
import { listingTags, type ShopContext } from '../context.js';
import type { Product, ProductChanges } from '../db/database.js';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const productChanges = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    category: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' },
    description: { type: 'string', maxLength: 2000 },
    priceCents: { type: 'integer', minimum: 0 },
    stock: { type: 'integer', minimum: 0 },
  },
} as const;

export function catalogRoutes(app: FastifyInstance, ctx: ShopContext): void {
  // Cache-aside: the cache, else the database (stored for an hour; an unknown id is remembered for 30 s).
  app.get<{ Params: { id: number } }>(
    '/products/:id',
    { schema: { params: idParams } },
    async (req, reply) => {
      const { id } = req.params;
      const load = { fromDatabase: false };
      const product = await ctx.products.getOrSet<Product | null>(
        `product:${id}`,
        () => {
          load.fromDatabase = true;
          return ctx.db.product(id) ?? null;
        },
        { ttl: '1h' },
      );
      const source = load.fromDatabase ? 'database' : 'cache';
      if (!product)
        return reply.code(404).send({ error: 'not_found', message: `product ${id} does not exist`, source });
      return { product, source };
    },
  );

  // Write, then invalidate: the product's entry and every listing it was or now is in.
  app.put<{ Params: { id: number }; Body: ProductChanges }>(
    '/products/:id',
    { schema: { params: idParams, body: productChanges } },
    async (req, reply) => {
      const { id } = req.params;
      const changed = ctx.db.updateProduct(id, req.body);
      if (!changed)
        return reply.code(404).send({ error: 'not_found', message: `product ${id} does not exist` });
      await Promise.all([
        ctx.products.delete(`product:${id}`),
        ctx.pages.invalidateTags(listingTags(changed.before.category, changed.after.category)),
      ]);
      req.log.info({ productId: id, changes: Object.keys(req.body) }, 'product updated, cache invalidated');
      return { product: changed.after };
    },
  );

  // Listings: whole responses cached per URL (ETag, 304), tagged by category, invalidated by tag.
  app.get<{ Querystring: { category?: string } }>(
    '/products',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { category: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' } },
        },
      },
      config: {
        cache: {
          ttl: '5m',
          tags: (req) => {
            const { category } = req.query as { category?: string };
            return category ? listingTags(category).slice(1) : ['catalog'];
          },
        },
      },
    },
    async (req) => {
      const { category } = req.query;
      return {
        category: category ?? null,
        products: ctx.db.products(category),
        generatedAt: new Date().toISOString(),
      };
    },
  );

  // A deliberately slow call, memoized for 10 minutes.
  app.get<{ Querystring: { text: string } }>(
    '/summarize',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1, maxLength: 10_000 } },
        },
      },
    },
    async (req) => {
      const startedAt = Date.now();
      const started = performance.now();
      const result = await ctx.summarize(req.query.text);
      const ms = Math.round(performance.now() - started);
      // A memoized answer was computed before this request began.
      const source = Date.parse(result.computedAt) < startedAt ? 'cache' : 'computed';
      return { ...result, source, ms };
    },
  );
}
