/** The shop's tables. Money is in integer cents; `accounts.fence` is the payment lock's last fencing token. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  balance_cents INTEGER NOT NULL CHECK (balance_cents >= 0),
  fence INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS products_by_category ON products(category);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  items TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'fulfilled', 'failed')),
  failure TEXT,
  payment_fence INTEGER,
  created_at TEXT NOT NULL,
  paid_at TEXT,
  fulfilled_at TEXT,
  fulfilled_by TEXT
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders(user_id);
CREATE TABLE IF NOT EXISTS shipments (
  order_id TEXT PRIMARY KEY REFERENCES orders(id),
  stream_entry TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

export interface SeedUser {
  email: string;
  name: string;
  password: string;
  balanceCents: number;
}

/** Demo users (named in the README): every one has the password `demo`. */
export const DEMO_USERS: SeedUser[] = [
  { email: 'alice@example.com', name: 'Alice', password: 'demo', balanceCents: 100_000 },
  { email: 'bob@example.com', name: 'Bob', password: 'demo', balanceCents: 50_000 },
  { email: 'carol@example.com', name: 'Carol', password: 'demo', balanceCents: 2_500 },
];

export interface SeedProduct {
  name: string;
  category: string;
  description: string;
  priceCents: number;
  stock: number;
}

export const DEMO_PRODUCTS: SeedProduct[] = [
  {
    name: 'Redis in Action',
    category: 'books',
    description: 'Patterns with real code.',
    priceCents: 3_999,
    stock: 25,
  },
  {
    name: 'Designing Data-Intensive Applications',
    category: 'books',
    description: 'The big ideas behind reliable systems.',
    priceCents: 4_499,
    stock: 40,
  },
  {
    name: 'The Art of Computer Programming, Vol. 1',
    category: 'books',
    description: 'Fundamental algorithms.',
    priceCents: 7_999,
    stock: 5,
  },
  {
    name: 'Mechanical Keyboard',
    category: 'hardware',
    description: 'Tactile switches, USB-C.',
    priceCents: 12_900,
    stock: 12,
  },
  {
    name: '4K Monitor',
    category: 'hardware',
    description: '27 inches, USB-C power delivery.',
    priceCents: 39_900,
    stock: 7,
  },
  {
    name: 'Noise-Cancelling Headphones',
    category: 'hardware',
    description: 'For open-plan offices.',
    priceCents: 24_900,
    stock: 9,
  },
  { name: 'Rubber Duck', category: 'desk', description: 'Debugging companion.', priceCents: 499, stock: 500 },
  {
    name: 'Standing Desk Mat',
    category: 'desk',
    description: 'Anti-fatigue foam.',
    priceCents: 5_900,
    stock: 30,
  },
  {
    name: 'Cable Organiser',
    category: 'desk',
    description: 'Five magnetic clips.',
    priceCents: 1_299,
    stock: 80,
  },
  {
    name: 'Coffee Beans, 1 kg',
    category: 'pantry',
    description: 'Medium roast.',
    priceCents: 2_400,
    stock: 60,
  },
  { name: 'Green Tea, 100 bags', category: 'pantry', description: 'Sencha.', priceCents: 900, stock: 100 },
  { name: 'Dark Chocolate Bar', category: 'pantry', description: '70% cocoa.', priceCents: 350, stock: 200 },
];
