// The engine's server with an append-only file, in its own process so a test can kill -9 it.
// argv: dir, appendfsync[, extra config name value …]. Sends { port } to the parent once it listens.
import { Engine, RespServer } from '@redkit/engine';

const [dir, appendfsync, ...extra] = process.argv.slice(2) as [string, string, ...string[]];
const config: Record<string, string> = { appendonly: 'yes', dir, appendfsync };
for (let i = 0; i + 1 < extra.length; i += 2) config[extra[i]!] = extra[i + 1]!;
const logs: string[] = [];
try {
  const server = await RespServer.listen({
    port: 0,
    engine: new Engine({ config }),
    aof: { log: (level, message) => logs.push(`${level}: ${message}`) },
  });
  process.send?.({ port: server.port, logs });
  process.on('message', (message) => {
    if (message === 'logs') process.send?.({ logs });
  });
} catch (error) {
  process.send?.({ error: (error as Error).message, logs });
  process.exit(1);
}
