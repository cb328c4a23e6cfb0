#!/usr/bin/env node
import { resolve } from 'node:path';
import { checkAof } from '@redkit/engine';
import { Command, InvalidArgumentError } from 'commander';
import { readConfigFile } from './config-file.js';
import { configureDoctor } from './doctor/command.js';
import { serve } from './serve.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
};

/**
 * `[redis.conf] --name value …`: the file first (as redis-server takes it), then redis-server style
 * `--name value` pairs for any parameter, which win. Returns the parameters and the file's absolute path.
 */
function configPairs(args: string[]): { config: Record<string, string>; file: string | undefined } {
  const config: Record<string, string> = {};
  let first = 0;
  let file: string | undefined;
  if (args[0] !== undefined && !args[0].startsWith('--')) {
    file = resolve(args[0]);
    Object.assign(config, readConfigFile(args[0]));
    first = 1;
  }
  for (let i = first; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--'))
      throw new InvalidArgumentError(`unexpected argument '${arg}' (expected --name value)`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) {
      throw new InvalidArgumentError(`option '${arg}' needs a value, as redis-server's do`);
    }
    config[arg.slice(2)] = value;
    i++;
  }
  return { config, file };
}

const program = new Command();
program
  .name('redkit')
  .description('redkit: Redis patterns for TypeScript, and an embedded Redis-compatible engine');

program
  .command('serve')
  .description(
    'serve the embedded engine over RESP (redis-cli, ioredis and node-redis can connect); a redis.conf ' +
      'file may come first, and any redis.conf parameter can be given as --name value, e.g. ' +
      '--notify-keyspace-events KEA; TLS with --tls-port 6380 --tls-cert-file redis.crt --tls-key-file ' +
      'redis.key --tls-ca-cert-file ca.crt (--port 0 for TLS only)',
  )
  .option('--port <port>', 'TCP port (as redis-server --port)', port, 6379)
  .option('--bind <address>', 'address to listen on (as redis-server --bind)', '127.0.0.1')
  .allowUnknownOption()
  .allowExcessArguments()
  .action(async (options: { port: number; bind: string }, command: Command) => {
    const { config, file } = configPairs(command.args);
    // A config file's port and bind count unless the flags were given.
    const given = (name: string) => command.getOptionValueSource(name) === 'cli';
    const port = given('port') || config.port === undefined ? options.port : Number(config.port);
    const host = given('bind') || config.bind === undefined ? options.bind : config.bind.split(' ')[0]!;
    await serve({ port, host, config, configFile: file });
  });

configureDoctor(program.command('doctor'));

program
  .command('check-aof')
  .description(
    'check an append-only file (a Redis 7 manifest, the appendonlydir, or one file) as loading reads it; ' +
      'with --fix, cut a truncated last file back to its last complete command',
  )
  .argument('<path>', 'the manifest, the AOF directory or an AOF file')
  .option('--fix', 'truncate a damaged last file at its last complete command')
  .action(async (path: string, options: { fix?: boolean }) => {
    const report = await checkAof(path, { fix: options.fix === true });
    for (const line of report.lines) console.log(line);
    process.exitCode = report.ok ? 0 : 1;
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`redkit: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
