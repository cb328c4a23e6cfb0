import { fail, SYNTAX } from '../../resp/errors.js';
import type { Session } from '../../session.js';
import type { RedisStream, StreamId } from '../../types/stream.js';
import { isOption, toInt64 } from '../args.js';
import { INVALID_ID, type ParsedId, parseId, parseIdOrNull } from './ids.js';

const LIMIT_NO_STRATEGY = 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy';
const BOTH_STRATEGIES = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';

export interface TrimArgs {
  strategy: 'maxlen' | 'minid' | null;
  threshold: bigint;
  approx: boolean;
  /** Entries removed at most (0 = no limit). */
  limit: number;
  noMkStream: boolean;
  /** XADD's ID (undefined for '*'). */
  id: ParsedId | undefined;
  /** Index of XADD's ID argument (argv.length when none was found). */
  idIndex: number;
}

/** The options of XADD (from argv[2] up to the ID) or XTRIM (all of argv[2..]), as Redis parses them. */
export function parseTrimArgs(c: Session, argv: string[], xadd: boolean): TrimArgs {
  const args: TrimArgs = {
    strategy: null,
    threshold: 0n,
    approx: false,
    limit: 0,
    noMkStream: false,
    id: undefined,
    idIndex: argv.length,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i]!;
    if (xadd && opt === '*') break;
    if ((isOption(opt, 'MAXLEN') || isOption(opt, 'MINID')) && more > 0) {
      if (args.strategy !== null) fail(BOTH_STRATEGIES);
      const maxlen = isOption(opt, 'MAXLEN');
      args.approx = false;
      const next = argv[i + 1]!;
      if (more >= 2 && next === '~') {
        args.approx = true;
        i++;
      } else if (more >= 2 && next === '=') {
        i++;
      }
      if (maxlen) {
        args.threshold = toInt64(argv[i + 1]!);
        if (args.threshold < 0n) fail('ERR The MAXLEN argument must be >= 0.');
      } else {
        args.threshold = parseId(argv[i + 1]!) as StreamId;
      }
      i++;
      args.strategy = maxlen ? 'maxlen' : 'minid';
    } else if (isOption(opt, 'LIMIT') && more > 0) {
      const limit = toInt64(argv[i + 1]!);
      if (limit < 0n) fail('ERR The LIMIT argument must be >= 0.');
      args.limit = limit > 1n << 40n ? 2 ** 40 : Number(limit);
      limitGiven = true;
      i++;
    } else if (xadd && isOption(opt, 'NOMKSTREAM')) {
      args.noMkStream = true;
    } else if (xadd) {
      const id = parseIdOrNull(opt, 0n, true, true);
      if (id === null) fail(INVALID_ID);
      args.id = id;
      break;
    } else {
      fail(SYNTAX);
    }
  }
  args.idIndex = i;
  if (args.limit !== 0 && args.strategy === null) fail(LIMIT_NO_STRATEGY);
  if (!xadd && args.strategy === null)
    fail('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (limitGiven) {
    if (!args.approx) fail('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (args.approx) {
    const perNode = c.engine.config.number('stream-node-max-entries');
    const limit = 100 * perNode;
    args.limit = limit <= 0 || limit > 10000 ? 10000 : limit;
  } else {
    args.limit = 0;
  }
  return args;
}

/** Applies the parsed trimming; returns the entries removed. */
export function applyTrim(stream: RedisStream, args: TrimArgs): number {
  if (args.strategy === null) return 0;
  return stream.trim(args.strategy, args.threshold, args.approx, args.limit);
}
