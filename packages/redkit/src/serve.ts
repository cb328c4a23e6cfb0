import { ENGINE_VERSION, Engine, REDIS_VERSION, RespServer } from '@redkit/engine';

export interface ServeOptions {
  port: number;
  host: string;
  config?: Record<string, string>;
}

/** Starts the embedded engine's RESP server and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<RespServer> {
  let engine: Engine;
  try {
    engine = new Engine({ config: { ...options.config, port: String(options.port), bind: options.host } });
  } catch (error) {
    // Redis's own CONFIG error text names the parameter and the reason.
    const message = error instanceof Error ? error.message.replace(/^ERR /, '') : String(error);
    throw new Error(`bad configuration: ${message}`);
  }
  let server: RespServer;
  try {
    server = await RespServer.listen({ engine, port: options.port, host: options.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `port ${options.port} is already in use (is a redis-server running?). Choose another with --port.`,
      );
    }
    throw error;
  }
  const stamp = () => new Date().toISOString();
  console.log(
    `${process.pid}:M ${stamp()} * redkit engine ${ENGINE_VERSION} (Redis ${REDIS_VERSION} compatible) ready to accept connections on ${options.host}:${server.port}`,
  );
  console.log(`Connect with: redis-cli -h ${options.host} -p ${server.port}`);
  const stop = async (why: string) => {
    console.log(`${process.pid}:M ${stamp()} # ${why}, shutting down.`);
    // The server first: it writes and syncs the append-only file before the clients go.
    await server.close();
    engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('Received SIGINT'));
  process.once('SIGTERM', () => void stop('Received SIGTERM'));
  engine.onShutdown = () => void stop('User requested shutdown');
  return server;
}
