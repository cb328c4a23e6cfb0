import { createServer, type Server, type Socket } from 'node:net';
import { admissionRefusal, idleTooLong } from '../auth/access.js';
import { Engine } from '../engine.js';
import {
  type AofOptions,
  type AppendOnlyFile,
  appendOnlyFileOf,
  openPersistence,
} from '../persistence/aof.js';
import { Connection } from './connection.js';

export interface ServerOptions {
  port?: number;
  /** Address to bind; 127.0.0.1 by default, as a safe default. */
  host?: string;
  engine?: Engine;
  /** Logging of the append-only file (opened before listening when the engine's config says appendonly yes). */
  aof?: AofOptions;
}

/** A RESP2/RESP3 server for an engine: redis-cli, ioredis and node-redis connect to it. */
export class RespServer {
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<Connection>();
  private idleTimer: NodeJS.Timeout | undefined;
  /** The append-only file this server opened (`appendonly yes`): loaded before it accepts clients. */
  aof: AppendOnlyFile | undefined;

  private constructor(
    readonly engine: Engine,
    private readonly server: Server,
  ) {}

  static async listen(options: ServerOptions = {}): Promise<RespServer> {
    const engine = options.engine ?? new Engine();
    // An AOF the caller opened stays theirs; one opened here is closed with the server.
    const aof = appendOnlyFileOf(engine) ? undefined : await openPersistence(engine, options.aof);
    const server = createServer();
    const instance = new RespServer(engine, server);
    instance.aof = aof;
    server.on('connection', (socket) => {
      instance.sockets.add(socket);
      socket.on('close', () => instance.sockets.delete(socket));
      const refusal = admissionRefusal(engine, socket.remoteAddress);
      if (refusal) {
        socket.on('error', () => socket.destroy());
        socket.end(refusal);
        return;
      }
      const connection = new Connection(engine, socket);
      instance.connections.add(connection);
      socket.on('close', () => instance.connections.delete(connection));
    });
    instance.startIdleSweep();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        aof?.close();
        reject(error);
      });
      server.listen(options.port ?? 6379, options.host ?? '127.0.0.1', () => {
        server.removeAllListeners('error');
        resolve();
      });
    });
    return instance;
  }

  /** `timeout`: closes idle clients, checking every client about once per server tick (1000/hz ms). */
  private startIdleSweep(): void {
    const sweep = () => {
      if (this.engine.config.number('timeout') <= 0) return;
      const now = this.engine.coarseNow();
      for (const connection of this.connections) {
        if (idleTooLong(connection.session, now)) connection.close();
      }
    };
    this.idleTimer = setInterval(sweep, Math.max(1, Math.floor(1000 / this.engine.config.number('hz'))));
    this.idleTimer.unref();
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.aof?.close();
  }
}
