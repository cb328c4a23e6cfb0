import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_DOCTOR_URL, doctor } from './doctor.js';
import { formatReport } from './format.js';
import { type DoctorOptions, parseSize } from './options.js';
import { progressBar } from './progress.js';

interface DoctorFlags {
  json?: boolean;
  strict?: boolean;
  sample: number;
  count: number;
  pause: number;
  db?: number[];
  separator: string;
  depth: number;
  memorySamples: number;
  bigValue: number;
  bigCollection: number;
  bigKey: number;
  allowNoTtl: string[];
  top: number;
  progress: boolean;
  color: boolean;
}

const whole = (min: number) => (value: string) => {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
  return n;
};

const size = (value: string) => {
  try {
    return parseSize(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const dbList = (value: string) =>
  value.split(',').map((part) => {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be database numbers: 0 or 0,1,5');
    return n;
  });

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];

/** `redkit doctor [url]`: options, and the action that prints the report and sets the exit code. */
export function configureDoctor(command: Command): Command {
  return command
    .argument('[url]', `server to examine (default: REDIS_URL, else ${DEFAULT_DOCTOR_URL})`)
    .description(
      'health and anti-pattern report of a live server (standalone, Cluster: every master; read-only, SCAN ' +
        'never KEYS); exit code 1 when a check fails',
    )
    .option('--json', 'print the report as JSON (for machines)')
    .option('--strict', 'warnings fail too (exit code 1)')
    .option('--sample <keys>', 'keys to inspect at most, 0 for all', whole(0), 100_000)
    .option('--count <n>', "SCAN's COUNT: keys per round trip", whole(1), 1000)
    .option('--pause <ms>', 'pause between SCAN batches, to spare a busy server', whole(0), 0)
    .option('--db <list>', 'databases to scan, e.g. 0,2 (default: every database with keys)', dbList)
    .option('--separator <char>', 'separator of key name segments, for prefixes', ':')
    .option('--depth <n>', 'segments kept in a prefix at most', whole(1), 2)
    .option('--memory-samples <n>', 'MEMORY USAGE … SAMPLES n (0: every element)', whole(0), 5)
    .addOption(
      new Option('--big-value <size>', 'string values this large are flagged')
        .argParser(size)
        .default(102_400, '100kb'),
    )
    .option('--big-collection <n>', 'collections with this many elements are flagged', whole(1), 10_000)
    .addOption(
      new Option('--big-key <size>', 'keys using this much memory are flagged')
        .argParser(size)
        .default(10_485_760, '10mb'),
    )
    .option(
      '--allow-no-ttl <pattern>',
      'keys meant to live without TTL (glob; repeat or comma-separate)',
      collect,
      [],
    )
    .option('--top <n>', 'rows in the top lists', whole(1), 10)
    .option('--no-progress', 'no progress bar (it is only drawn on a terminal anyway)')
    .option('--no-color', 'no colours in the text report')
    .action(async (url: string | undefined, flags: DoctorFlags) => {
      const bar = flags.progress && process.stderr.isTTY ? progressBar(process.stderr) : undefined;
      const options: DoctorOptions = {
        sample: flags.sample,
        scanCount: flags.count,
        pauseMs: flags.pause,
        databases: flags.db,
        separator: flags.separator,
        depth: flags.depth,
        memorySamples: flags.memorySamples,
        bigValueBytes: flags.bigValue,
        bigCollectionElements: flags.bigCollection,
        bigKeyBytes: flags.bigKey,
        allowNoTtl: flags.allowNoTtl,
        top: flags.top,
        strict: flags.strict,
        onProgress: bar?.onProgress,
      };
      let report: Awaited<ReturnType<typeof doctor>>;
      try {
        report = await doctor(url, options);
      } finally {
        bar?.done();
      }
      const color = flags.color && !flags.json && process.stdout.isTTY && !process.env.NO_COLOR;
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, color));
      process.exitCode = report.exitCode;
    });
}
