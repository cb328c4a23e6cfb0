import type { Cache, Leaderboard, RateLimiter, RedisPort, UniqueCounter } from 'redkit';
import type { Backend } from './backend.js';
import type { ShopDatabase } from './db/database.js';
import type { Fulfilment, Orders } from './orders.js';
import type { Summary } from './summarize.js';

/** What the routes work with. */
export interface ShopContext {
  db: ShopDatabase;
  backend: Backend;
  redis: RedisPort;
  /** Cache-aside entries of single products. */
  products: Cache;
  /** Whole HTTP responses (the product listings), invalidated by category tags. */
  pages: Cache;
  summarize: (text: string) => Promise<Summary>;
  loginLimiter: RateLimiter;
  orders: Orders;
  fulfilment: Fulfilment;
  bestsellers: Leaderboard;
  visitors: UniqueCounter;
}

/** Tags of the listings a product appears in. */
export function listingTags(...categories: string[]): string[] {
  return ['catalog', ...new Set(categories)].map((c, i) => (i === 0 ? c : `category:${c}`));
}
