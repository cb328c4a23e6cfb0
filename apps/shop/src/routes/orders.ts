import type { FastifyInstance } from 'fastify';
import { requireUser } from 'redkit/fastify';
import type { ShopContext } from '../context.js';

interface OrderRequest {
  items: Array<{ productId: number; quantity: number }>;
}

export function orderRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.post<{ Body: OrderRequest }>(
    '/orders',
    {
      preHandler: requireUser(),
      schema: {
        body: {
          type: 'object',
          required: ['items'],
          properties: {
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 20,
              items: {
                type: 'object',
                required: ['productId', 'quantity'],
                additionalProperties: false,
                properties: {
                  productId: { type: 'integer', minimum: 1 },
                  quantity: { type: 'integer', minimum: 1, maximum: 100 },
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const order = await ctx.orders.place(Number(req.session.userId), req.body.items);
      return reply.code(201).header('location', `/orders/${order.id}`).send({ order });
    },
  );

  app.get('/orders', { preHandler: requireUser() }, async (req) => ({
    orders: ctx.db.ordersOf(Number(req.session.userId)),
  }));

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    {
      preHandler: requireUser(),
      schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } },
    },
    async (req, reply) => {
      const order = ctx.db.order(req.params.id);
      // Someone else's order is as unknown as a missing one.
      if (!order || order.userId !== Number(req.session.userId)) {
        return reply.code(404).send({ error: 'not_found', message: `order ${req.params.id} does not exist` });
      }
      return { order, shipments: ctx.db.shipments(order.id) };
    },
  );
}
