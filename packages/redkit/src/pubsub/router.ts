import type { RedisPort, Subscription } from '../client/port.js';

export type RouteKind = 'channel' | 'pattern';
export type Deliver = (channel: string, payload: Buffer) => void;

/**
 * Shares one subscriber connection per kind (channels, patterns) among every subscriber of a PubSub, as
 * ioredis users do by hand: subscribing to a thousand channels costs one connection, not a thousand. The
 * server-side SUBSCRIBE/UNSUBSCRIBE calls run one at a time and follow the local routes, so a subscribe
 * racing an unsubscribe of the same channel ends in the right state.
 */
export class Router {
  private readonly routes: Record<RouteKind, Map<string, Set<Deliver>>> = {
    channel: new Map(),
    pattern: new Map(),
  };
  private readonly onServer: Record<RouteKind, Set<string>> = { channel: new Set(), pattern: new Set() };
  private readonly connections: Partial<Record<RouteKind, Promise<Subscription>>> = {};
  private serial: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly redis: RedisPort,
    private readonly onReconnect: () => void,
  ) {}

  /** Routes messages of `name` to `deliver`; resolves once the server confirmed the subscription. */
  async add(kind: RouteKind, name: string, deliver: Deliver): Promise<void> {
    let targets = this.routes[kind].get(name);
    if (!targets) this.routes[kind].set(name, (targets = new Set()));
    targets.add(deliver);
    try {
      await this.sync(kind, name);
    } catch (error) {
      this.drop(kind, name, deliver);
      throw error;
    }
  }

  /** Stops routing to `deliver`; unsubscribes on the server when it was the last one for `name`. */
  async remove(kind: RouteKind, name: string, deliver: Deliver): Promise<void> {
    this.drop(kind, name, deliver);
    await this.sync(kind, name);
  }

  get subscribedCount(): number {
    return this.onServer.channel.size + this.onServer.pattern.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.routes.channel.clear();
    this.routes.pattern.clear();
    await this.serial.catch(() => {});
    for (const connection of Object.values(this.connections))
      await (await connection.catch(() => undefined))?.close();
  }

  private drop(kind: RouteKind, name: string, deliver: Deliver): void {
    const targets = this.routes[kind].get(name);
    targets?.delete(deliver);
    if (targets?.size === 0) this.routes[kind].delete(name);
  }

  /** Brings the server's subscription to `name` in line with the local routes. */
  private sync(kind: RouteKind, name: string): Promise<void> {
    const run = this.serial.then(async () => {
      if (this.closed) return;
      const wanted = this.routes[kind].has(name);
      if (wanted === this.onServer[kind].has(name)) return;
      const connection = await this.connection(kind);
      if (wanted) {
        await connection.add([name]);
        this.onServer[kind].add(name);
      } else {
        this.onServer[kind].delete(name);
        await connection.remove([name]);
      }
    });
    this.serial = run.catch(() => {});
    return run;
  }

  private connection(kind: RouteKind): Promise<Subscription> {
    let connection = this.connections[kind];
    if (!connection) {
      connection = this.redis.subscribe(
        [],
        (channel, payload, pattern) => {
          const targets = this.routes[kind].get(kind === 'pattern' ? (pattern ?? '') : channel);
          if (targets) for (const deliver of targets) deliver(channel, payload);
        },
        { pattern: kind === 'pattern', onReconnect: this.onReconnect },
      );
      this.connections[kind] = connection;
      connection.catch(() => {
        if (this.connections[kind] === connection) delete this.connections[kind];
      });
    }
    return connection;
  }
}
