import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls';
import { admissionRefusal, idleTooLong } from '../auth/access.js';
import { Engine } from '../engine.js';
import { engineLogger, engineLogs } from '../log.js';
import {
  type AofOptions,
  type AppendOnlyFile,
  appendOnlyFileOf,
  openPersistence,
} from '../persistence/aof.js';
import { Connection, type ListenerPorts } from './connection.js';
import { TLS_PARAMETERS, type TlsMaterial, type TlsSettings, tlsSettings } from './tls-options.js';

export { TlsConfigError, type TlsMaterial } from './tls-options.js';

/** The TLS listener: its port (0 = any free port) and, optionally, PEM material in place of the files. */
export interface TlsListenOptions extends TlsMaterial {
  /** Default: the engine's `tls-port`. */
  port?: number;
}

export interface ServerOptions {
  /** The plain TCP port; 0 = any free port. Default 6379. */
  port?: number;
  /** false: no plain TCP listener (redis.conf's `port 0` next to a `tls-port`). Default true. */
  tcp?: boolean;
  /** Address to bind; 127.0.0.1 by default, as a safe default. */
  host?: string;
  engine?: Engine;
  /** Logging of the append-only file (opened before listening when the engine's config says appendonly yes). */
  aof?: AofOptions;
  /**
   * A TLS listener (Node's own TLS), configured by the engine's tls-* parameters. Enabled by this option
   * or by a non-zero `tls-port` in the engine's configuration.
   */
  tls?: TlsListenOptions | boolean;
}

/** A RESP2/RESP3 server for an engine: redis-cli, ioredis and node-redis connect to it, over TCP and/or TLS. */
export class RespServer {
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<Connection>();
  private idleTimer: NodeJS.Timeout | undefined;
  private tcpServer: Server | undefined;
  private tlsServer: TlsServer | undefined;
  private readonly stopApplying: Array<() => void> = [];
  private tlsMaterial: TlsMaterial = {};
  private host = '127.0.0.1';
  /** The append-only file this server opened (`appendonly yes`): loaded before it accepts clients. */
  aof: AppendOnlyFile | undefined;
  /** The ports clients see in CONFIG GET port / tls-port and INFO's tcp_port (0 = not listening). */
  readonly listener: ListenerPorts = { tcp: 0, tls: 0 };

  private constructor(readonly engine: Engine) {}

  static async listen(options: ServerOptions = {}): Promise<RespServer> {
    const engine = options.engine ?? new Engine();
    const instance = new RespServer(engine);
    const tlsOption = options.tls;
    const tlsWanted =
      (tlsOption !== undefined && tlsOption !== false) || engine.config.number('tls-port') > 0;
    const material = typeof tlsOption === 'object' ? tlsOption : {};
    // A bad TLS configuration stops the start before anything is opened, as in Redis.
    const settings = tlsWanted ? tlsSettings(engine.config, material) : undefined;
    // An AOF the caller opened stays theirs; one opened here is closed with the server.
    const aof = appendOnlyFileOf(engine)
      ? undefined
      : await openPersistence(engine, options.aof ?? { log: engineLogger(engine) });
    instance.aof = aof;
    const host = options.host ?? '127.0.0.1';
    instance.host = host;
    instance.tlsMaterial = material;
    try {
      if (options.tcp !== false) {
        const server = createServer();
        server.on('connection', (socket) => instance.accept(socket, socket));
        instance.tcpServer = server;
        instance.listener.tcp = await listenOn(server, options.port ?? 6379, host);
      }
      if (settings) {
        const server = instance.createTls(settings);
        const port = material.port ?? engine.config.number('tls-port');
        instance.listener.tls = await listenOn(server, port, host);
      }
    } catch (error) {
      instance.tcpServer?.close();
      instance.tlsServer?.close();
      aof?.close();
      throw error;
    }
    instance.startIdleSweep();
    instance.followTlsConfig();
    return instance;
  }

  /**
   * CONFIG SET of tls-* parameters, as Redis applies them: most rebuild the TLS context for the next
   * clients (a bad value is refused and the old one kept); tls-auth-clients applies to the next
   * handshakes; tls-port moves (or opens, or closes) the TLS listener, existing clients staying.
   */
  private followTlsConfig(): void {
    const config = this.engine.config;
    this.stopApplying.push(
      config.onApply(TLS_PARAMETERS, () => this.applyTls()),
      config.onApply(['tls-auth-clients'], () => this.tlsServer && this.applyClientAuth(this.tlsServer)),
      config.onApply(['tls-port'], () => this.applyTlsPort()),
    );
  }

  private currentTlsSettings(): TlsSettings {
    try {
      return tlsSettings(this.engine.config, this.tlsMaterial);
    } catch (error) {
      engineLogger(this.engine)('warning', (error as Error).message);
      throw new Error('Unable to update TLS configuration. Check server logs.');
    }
  }

  private applyTls(): void {
    if (!this.tlsServer) return;
    const settings = this.currentTlsSettings();
    try {
      this.tlsServer.setSecureContext(settings.context);
    } catch (error) {
      engineLogger(this.engine)('warning', (error as Error).message);
      throw new Error('Unable to update TLS configuration. Check server logs.');
    }
  }

  private applyClientAuth(server: TlsServer): void {
    const clientAuth = this.engine.config.get('tls-auth-clients');
    const live = server as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
    live.requestCert = clientAuth !== 'no';
    live.rejectUnauthorized = clientAuth === 'yes';
  }

  private applyTlsPort(): void {
    const port = this.engine.config.number('tls-port');
    const old = this.tlsServer;
    if (port === 0) {
      old?.close();
      this.tlsServer = undefined;
      this.listener.tls = 0;
      return;
    }
    if (old && port === this.listener.tls) return;
    const server = this.createTls(this.currentTlsSettings());
    // Node binds asynchronously, so a port that cannot be bound is logged rather than refused.
    server.once('error', (error) => {
      engineLogger(this.engine)('warning', `Failed listening on port ${port} (TLS): ${error.message}`);
      if (this.tlsServer === server) {
        this.tlsServer = undefined;
        this.listener.tls = 0;
      }
    });
    server.listen(port, this.host, () => {
      old?.close();
      if (this.tlsServer === server) this.listener.tls = port;
    });
  }

  private createTls(settings: TlsSettings): TlsServer {
    const server = createTlsServer({
      ...settings.context,
      requestCert: settings.clientAuth !== 'no',
      rejectUnauthorized: settings.clientAuth === 'yes',
    });
    server.on('connection', (socket: Socket) => this.track(socket));
    server.on('secureConnection', (socket: TLSSocket) => {
      // tls-auth-clients optional: no certificate is fine, a certificate that does not verify is not.
      if (!socket.authorized && Object.keys(socket.getPeerCertificate() ?? {}).length > 0) {
        this.logAcceptError(String(socket.authorizationError));
        socket.destroy();
        return;
      }
      this.accept(socket, undefined);
    });
    server.on('tlsClientError', (error) => this.logAcceptError(error.message));
    this.tlsServer = server;
    return server;
  }

  /** A failed handshake (no or a bad client certificate …) is logged as a warning, as Redis does. */
  private logAcceptError(message: string): void {
    // OpenSSL's "error:0A0000C7:SSL routines:fn:reason:file:line:" shown as Redis shows it.
    const openssl = /error:([0-9A-Fa-f]+):([^:]*):[^:]*:([^:]*)/.exec(message);
    const shown = openssl ? `error:${openssl[1]}:${openssl[2]}::${openssl[3]}` : message.trim();
    engineLogger(this.engine)('warning', `Error accepting a client connection: ${shown}`);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** A new client (plain, or TLS once its handshake is done): admitted or refused as Redis does. */
  private accept(socket: Socket, raw: Socket | undefined): void {
    if (raw) this.track(raw);
    if (engineLogs(this.engine, 'verbose')) {
      engineLogger(this.engine)('verbose', `Accepted ${socket.remoteAddress}:${socket.remotePort}`);
    }
    const refusal = admissionRefusal(this.engine, socket.remoteAddress);
    if (refusal) {
      socket.on('error', () => socket.destroy());
      socket.end(refusal);
      return;
    }
    const connection = new Connection(this.engine, socket, this.listener);
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }

  /** `timeout`: closes idle clients, checking every client about once per server tick (1000/hz ms). */
  private startIdleSweep(): void {
    const sweep = () => {
      if (this.engine.config.number('timeout') <= 0) return;
      const now = this.engine.coarseNow();
      for (const connection of this.connections) {
        if (idleTooLong(connection.session, now)) connection.closeIdle();
      }
    };
    this.idleTimer = setInterval(sweep, Math.max(1, Math.floor(1000 / this.engine.config.number('hz'))));
    this.idleTimer.unref();
  }

  /** The plain TCP port (0 when serving TLS only). */
  get port(): number {
    return this.listener.tcp;
  }

  /** The TLS port (0 when not serving TLS). */
  get tlsPort(): number {
    return this.listener.tls;
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const stop of this.stopApplying) stop();
    for (const socket of this.sockets) socket.destroy();
    const closing = [this.tcpServer, this.tlsServer].map(
      (server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    );
    await Promise.all(closing);
    this.aof?.close();
  }
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
