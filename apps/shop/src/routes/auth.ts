import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { rateLimit, requireUser } from 'redkit/fastify';
import type { ShopContext } from '../context.js';
import { DECOY_HASH, verifyPassword } from '../passwords.js';

interface Credentials {
  email: string;
  password: string;
}

export function authRoutes(app: FastifyInstance, ctx: ShopContext): void {
  // Password guessing against one account is limited by email, on top of the global limit by IP.
  const perAccount: preHandlerAsyncHookHandler = rateLimit({
    limiter: ctx.loginLimiter,
    scope: 'login',
    key: (req) => String((req.body as Credentials).email).toLowerCase(),
  });

  app.post<{ Body: Credentials }>(
    '/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          properties: {
            email: { type: 'string', minLength: 3, maxLength: 254 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
      },
      preHandler: perAccount,
    },
    async (req, reply) => {
      const user = ctx.db.userByEmail(req.body.email.trim());
      // Unknown emails are checked against a decoy hash: both answers take as long.
      const valid = await verifyPassword(req.body.password, user?.passwordHash ?? (await DECOY_HASH));
      if (!user || !valid) {
        req.log.info({ email: req.body.email }, 'login refused');
        return reply.code(401).send({ error: 'invalid_credentials', message: 'wrong email or password' });
      }
      // A new session id: the one the client had before logging in (if any) is dead from now on.
      await req.session.regenerate(String(user.id));
      req.session.set('email', user.email);
      req.session.set('name', user.name);
      req.log.info({ userId: user.id }, 'logged in');
      return { user: { id: user.id, email: user.email, name: user.name } };
    },
  );

  app.get('/profile', { preHandler: requireUser() }, async (req) => {
    const userId = Number(req.session.userId);
    const user = ctx.db.user(userId);
    return {
      user,
      balanceCents: ctx.db.balanceCents(userId),
      session: { createdAt: new Date(req.session.createdAt ?? 0).toISOString() },
    };
  });

  app.post('/logout', async (req, reply) => {
    if (req.session.exists) await req.session.destroy();
    return reply.code(204).send();
  });
}
