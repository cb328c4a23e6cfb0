import {
  ENGINE_VERSION,
  Engine,
  engineLogger,
  loadSnapshotAtStartup,
  REDIS_VERSION,
  RespServer,
  shouldSaveOnShutdown,
  snapshotsOf,
  TlsConfigError,
} from '@redkit/engine';

export interface ServeOptions {
  /** The plain TCP port; 0 with a tls-port serves TLS only (as redis-server's `port 0`). */
  port: number;
  host: string;
  config?: Record<string, string>;
  /** The config file the parameters came from (CONFIG REWRITE rewrites it; INFO shows it). */
  configFile?: string;
}

/** Starts the embedded engine's RESP server and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<RespServer> {
  let engine: Engine;
  try {
    // A config file's full bind list is kept (CONFIG GET/REWRITE show it); the first address is served.
    const bind = options.config?.bind?.split(' ')[0] === options.host ? options.config.bind : options.host;
    engine = new Engine({ config: { ...options.config, port: String(options.port), bind } });
  } catch (error) {
    // Redis's own CONFIG error text names the parameter and the reason.
    const message = error instanceof Error ? error.message.replace(/^ERR /, '') : String(error);
    throw new Error(`bad configuration: ${message}`);
  }
  engine.config.file = options.configFile;
  const log = engineLogger(engine);
  log('warning', 'oO0OoO0OoO0Oo redkit is starting oO0OoO0OoO0Oo');
  log(
    'warning',
    `redkit engine version=${ENGINE_VERSION} (Redis ${REDIS_VERSION} compatible), bits=64, pid=${process.pid}, just started`,
  );
  log(
    'warning',
    options.configFile
      ? 'Configuration loaded'
      : 'Warning: no config file specified, using the default config. In order to specify a config file use redkit serve /path/to/redis.conf',
  );
  // dump.rdb (appendonly no) before any client is accepted; a damaged file stops the start. Then the save rules.
  loadSnapshotAtStartup(engine);
  snapshotsOf(engine).startCron();
  const tlsPort = engine.config.number('tls-port');
  let server: RespServer;
  try {
    server = await RespServer.listen({
      engine,
      port: options.port,
      // `port 0` next to a tls-port: TLS only, as redis-server.
      tcp: options.port !== 0 || tlsPort === 0,
      host: options.host,
      aof: { log },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `port ${(error as { port?: number }).port ?? options.port} is already in use (is a redis-server running?). Choose another with --port.`,
      );
    }
    if (error instanceof TlsConfigError) throw new Error(`bad TLS configuration: ${error.message}`);
    throw error;
  }
  log('notice', `Running mode=standalone, port=${server.port || server.tlsPort}.`);
  log('warning', 'Server initialized');
  log('notice', 'Ready to accept connections');
  const hint = server.port
    ? `redis-cli -h ${options.host} -p ${server.port}`
    : `redis-cli --tls -h ${options.host} -p ${server.tlsPort} --cacert <ca.crt>`;
  console.log(`Connect with: ${hint}`);
  let stopping = false;
  /** False when the final save failed (the server stays up); else closes down in the background. */
  const stop = (why: string | undefined, options?: { save?: boolean; force?: boolean }): boolean => {
    if (stopping) return true;
    stopping = true;
    if (why) log('warning', why);
    log('warning', 'User requested shutdown...');
    // Save rules configured (or SHUTDOWN SAVE): the final snapshot first; a failed save keeps the server up.
    if (
      shouldSaveOnShutdown(engine, options?.save) &&
      !snapshotsOf(engine).saveBeforeExit() &&
      !options?.force
    ) {
      stopping = false;
      return false;
    }
    // After the command that asked has finished (its AOF write included).
    setImmediate(() => void close());
    return true;
  };
  const close = async () => {
    snapshotsOf(engine).close();
    if (server.aof) log('notice', 'Calling fsync() on the AOF file.');
    // The server first: it writes and syncs the append-only file before the clients go.
    await server.close();
    engine.close();
    log('warning', 'redkit is now ready to exit, bye bye...');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('Received SIGINT scheduling shutdown...'));
  process.once('SIGTERM', () => void stop('Received SIGTERM scheduling shutdown...'));
  engine.onShutdown = (options) => stop(undefined, options);
  return server;
}
