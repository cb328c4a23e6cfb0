import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import initSqlJs, { type BindParams, type Database, type SqlValue } from 'sql.js';
import { notFound, ShopError } from '../errors.js';
import { hashPassword } from '../passwords.js';
import { DEMO_PRODUCTS, DEMO_USERS, SCHEMA } from './schema.js';

export interface Product {
  id: number;
  name: string;
  category: string;
  description: string;
  priceCents: number;
  stock: number;
  updatedAt: string;
}

export type ProductChanges = Partial<
  Pick<Product, 'name' | 'category' | 'description' | 'priceCents' | 'stock'>
>;

export interface User {
  id: number;
  email: string;
  name: string;
}

export interface OrderLine {
  productId: number;
  name: string;
  quantity: number;
  priceCents: number;
}

export type OrderStatus = 'pending' | 'paid' | 'fulfilled' | 'failed';

export interface Order {
  id: string;
  userId: number;
  items: OrderLine[];
  totalCents: number;
  status: OrderStatus;
  failure: string | null;
  createdAt: string;
  paidAt: string | null;
  fulfilledAt: string | null;
}

type Row = Record<string, SqlValue>;

const PRODUCT_COLUMNS =
  'id, name, category, description, price_cents AS priceCents, stock, updated_at AS updatedAt';
const ORDER_COLUMNS = `id, user_id AS userId, items, total_cents AS totalCents, status, failure,
  created_at AS createdAt, paid_at AS paidAt, fulfilled_at AS fulfilledAt`;

const now = () => new Date().toISOString();

/**
 * The shop's system of record: SQLite (sql.js, WebAssembly: no native build) in memory, written to `file`
 * after every committed change (a temporary file, fsynced, then renamed over the old one), so a crash leaves
 * the previous or the new state, never half of one. Without a file it lives in memory only (tests).
 */
export class ShopDatabase {
  private constructor(
    private readonly db: Database,
    private readonly file: string | undefined,
  ) {}

  static async open(file?: string): Promise<ShopDatabase> {
    const SQL = await initSqlJs();
    const existing = file !== undefined && existsSync(file) ? readFileSync(file) : undefined;
    const shop = new ShopDatabase(new SQL.Database(existing), file);
    shop.db.run('PRAGMA foreign_keys = ON');
    shop.db.exec(SCHEMA);
    if (!existing) await shop.seed();
    return shop;
  }

  private async seed(): Promise<void> {
    const hashes = await Promise.all(DEMO_USERS.map((u) => hashPassword(u.password)));
    this.transaction(() => {
      DEMO_USERS.forEach((u, i) => {
        this.db.run('INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)', [
          u.email,
          u.name,
          hashes[i]!,
        ]);
        this.db.run('INSERT INTO accounts (user_id, balance_cents) VALUES (last_insert_rowid(), ?)', [
          u.balanceCents,
        ]);
      });
      for (const p of DEMO_PRODUCTS) {
        this.db.run(
          'INSERT INTO products (name, category, description, price_cents, stock, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          [p.name, p.category, p.description, p.priceCents, p.stock, now()],
        );
      }
    });
  }

  // ---- catalog ----

  product(id: number): Product | undefined {
    return this.one<Product>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`, [id]);
  }

  products(category?: string): Product[] {
    return category === undefined
      ? this.all<Product>(`SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY id`)
      : this.all<Product>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE category = ? ORDER BY id`, [
          category,
        ]);
  }

  /** Applies the changes; returns the product before and after, or undefined when there is none. */
  updateProduct(id: number, changes: ProductChanges): { before: Product; after: Product } | undefined {
    return this.transaction(() => {
      const before = this.product(id);
      if (!before) return undefined;
      const columns: Record<keyof ProductChanges, string> = {
        name: 'name',
        category: 'category',
        description: 'description',
        priceCents: 'price_cents',
        stock: 'stock',
      };
      const sets: string[] = [];
      const values: SqlValue[] = [];
      for (const [field, column] of Object.entries(columns) as Array<[keyof ProductChanges, string]>) {
        if (changes[field] === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(changes[field]);
      }
      this.db.run(`UPDATE products SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE id = ?`, [
        ...values,
        now(),
        id,
      ]);
      return { before, after: this.product(id)! };
    });
  }

  // ---- users ----

  userByEmail(email: string): (User & { passwordHash: string }) | undefined {
    return this.one('SELECT id, email, name, password_hash AS passwordHash FROM users WHERE email = ?', [
      email,
    ]);
  }

  user(id: number): User | undefined {
    return this.one<User>('SELECT id, email, name FROM users WHERE id = ?', [id]);
  }

  balanceCents(userId: number): number {
    return (
      this.one<{ b: number }>('SELECT balance_cents AS b FROM accounts WHERE user_id = ?', [userId])?.b ?? 0
    );
  }

  // ---- orders ----

  /** A pending order at today's prices; 404 for an unknown product, 409 when there is not enough stock. */
  createOrder(userId: number, items: Array<{ productId: number; quantity: number }>): Order {
    return this.transaction(() => {
      const lines: OrderLine[] = [];
      for (const { productId, quantity } of mergeLines(items)) {
        const product = this.product(productId);
        if (!product) throw notFound(`product ${productId}`);
        if (product.stock < quantity) throw outOfStock(product);
        lines.push({ productId, name: product.name, quantity, priceCents: product.priceCents });
      }
      const total = lines.reduce((sum, l) => sum + l.quantity * l.priceCents, 0);
      const id = randomUUID();
      this.db.run(
        "INSERT INTO orders (id, user_id, items, total_cents, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
        [id, userId, JSON.stringify(lines), total, now()],
      );
      return this.order(id)!;
    });
  }

  /**
   * Takes the payment, in one transaction: debits the account — only if `fence` is not older than the last
   * fencing token that touched it, so a lock holder that lost its lock (paused, partitioned) cannot pay
   * after the next holder did — takes the stock and marks the order paid.
   */
  completePayment(orderId: string, fence: number): Order {
    return this.transaction(() => {
      const order = this.order(orderId);
      if (!order) throw notFound(`order ${orderId}`);
      if (order.status !== 'pending')
        throw new ShopError(409, 'order_not_pending', `order ${orderId} is ${order.status}`);
      this.db.run(
        `UPDATE accounts SET balance_cents = balance_cents - ?, fence = ?
         WHERE user_id = ? AND fence <= ? AND balance_cents >= ?`,
        [order.totalCents, fence, order.userId, fence, order.totalCents],
      );
      if (this.db.getRowsModified() === 0) {
        const account = this.one<{ fence: number; balance: number }>(
          'SELECT fence, balance_cents AS balance FROM accounts WHERE user_id = ?',
          [order.userId],
        );
        if (account && account.fence > fence) {
          throw new ShopError(
            409,
            'stale_fencing_token',
            `payment token ${fence} is older than ${account.fence}: another payment ran since this one's lock was lost; retry the order`,
          );
        }
        throw new ShopError(
          402,
          'insufficient_funds',
          `the balance (${account?.balance ?? 0} cents) does not cover ${order.totalCents} cents`,
        );
      }
      for (const line of order.items) {
        this.db.run('UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?', [
          line.quantity,
          now(),
          line.productId,
          line.quantity,
        ]);
        if (this.db.getRowsModified() === 0) throw outOfStock(this.product(line.productId));
      }
      this.db.run("UPDATE orders SET status = 'paid', payment_fence = ?, paid_at = ? WHERE id = ?", [
        fence,
        now(),
        orderId,
      ]);
      return this.order(orderId)!;
    });
  }

  failOrder(orderId: string, reason: string): void {
    this.transaction(() => {
      this.db.run("UPDATE orders SET status = 'failed', failure = ? WHERE id = ? AND status = 'pending'", [
        reason,
        orderId,
      ]);
    });
  }

  /**
   * Ships a paid order, exactly once: the status moves paid → fulfilled and the shipment row is written in one
   * transaction, so a stream entry delivered twice (a consumer killed before acknowledging) finds it done.
   */
  fulfil(orderId: string, streamEntry: string): 'fulfilled' | 'duplicate' | 'unknown' {
    return this.transaction(() => {
      this.db.run(
        "UPDATE orders SET status = 'fulfilled', fulfilled_at = ?, fulfilled_by = ? WHERE id = ? AND status = 'paid'",
        [now(), streamEntry, orderId],
      );
      if (this.db.getRowsModified() === 0) return this.order(orderId) ? 'duplicate' : 'unknown';
      this.db.run('INSERT INTO shipments (order_id, stream_entry, created_at) VALUES (?, ?, ?)', [
        orderId,
        streamEntry,
        now(),
      ]);
      return 'fulfilled';
    });
  }

  order(id: string): Order | undefined {
    const row = this.one<Omit<Order, 'items'> & { items: string }>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`,
      [id],
    );
    return row && { ...row, items: JSON.parse(row.items) as OrderLine[] };
  }

  ordersOf(userId: number): Order[] {
    return this.all<Omit<Order, 'items'> & { items: string }>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? ORDER BY created_at DESC LIMIT 50`,
      [userId],
    ).map((row) => ({ ...row, items: JSON.parse(row.items) as OrderLine[] }));
  }

  shipments(orderId: string): number {
    return (
      this.one<{ n: number }>('SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?', [orderId])?.n ?? 0
    );
  }

  /** Names of products by id (for leaderboards). */
  productNames(ids: number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    const rows = this.all<{ id: number; name: string }>(
      `SELECT id, name FROM products WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  ping(): boolean {
    return this.one<{ ok: number }>('SELECT 1 AS ok')?.ok === 1;
  }

  close(): void {
    this.db.close();
  }

  // ---- plumbing ----

  private transaction<T>(fn: () => T): T {
    this.db.run('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = fn();
      this.db.run('COMMIT');
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
    this.save();
    return result;
  }

  /** Writes the database file atomically (temporary file, fsync, rename). */
  private save(): void {
    if (this.file === undefined) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, this.db.export());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
  }

  private all<T>(sql: string, params: BindParams = []): T[] {
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params);
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows as T[];
    } finally {
      statement.free();
    }
  }

  private one<T>(sql: string, params: BindParams = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }
}

function outOfStock(product: Product | undefined): ShopError {
  return new ShopError(409, 'out_of_stock', `only ${product?.stock ?? 0} of '${product?.name}' left`);
}

/** One line per product (quantities of repeated products added up), in a stable order. */
function mergeLines(items: Array<{ productId: number; quantity: number }>) {
  const merged = new Map<number, number>();
  for (const { productId, quantity } of items) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity }));
}
