#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { serve } from './serve.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
};

const program = new Command();
program
  .name('redkit')
  .description('redkit: Redis patterns for TypeScript, and an embedded Redis-compatible engine');

program
  .command('serve')
  .description('serve the embedded engine over RESP (redis-cli, ioredis and node-redis can connect)')
  .option('--port <port>', 'TCP port (as redis-server --port)', port, 6379)
  .option('--bind <address>', 'address to listen on (as redis-server --bind)', '127.0.0.1')
  .option('--databases <n>', 'number of databases', '16')
  .option('--hz <n>', 'background task frequency', '10')
  .action(async (options: { port: number; bind: string; databases: string; hz: string }) => {
    await serve({
      port: options.port,
      host: options.bind,
      config: { databases: options.databases, hz: options.hz },
    });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`redkit: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
