import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { type DiffPair, differential, type ParsedReply } from '@redkit/test-utils';

/**
 * The ACL matrix: users made of command rules × key patterns × channel patterns run a fixed set of calls
 * directly, queued in MULTI/EXEC and through EVAL (redis.call and redis.pcall) on real Redis and on the
 * engine. Replies must be identical, and the engine must never allow what Redis refuses (a bypass).
 * CI runs a deterministic sample; REDKIT_FULL=1 runs every combination.
 */

const COMMAND_RULES: string[][] = [
  ['+@all'],
  ['+@read'],
  ['+@write'],
  ['+@string'],
  ['+@hash', '+@read'],
  ['+@all', '-@write'],
  ['+@all', '-@string'],
  ['+@all', '-@keyspace', '-publish'],
  ['+get', '+set', '+publish', '+mget'],
  ['+@fast'],
  ['+@pubsub', '+@list'],
  ['-@all'],
];

const KEY_RULES: string[][] = [
  ['~*'],
  ['~a*'],
  ['%R~a*'],
  ['%W~a*'],
  ['~a*', '%R~b*'],
  ['%RW~b?'],
  ['resetkeys'],
];

const CHANNEL_RULES: string[][] = [['&*'], ['&n*'], ['resetchannels']];

/** The calls every user makes: reads, writes, multi-key, read+write, pub/sub. */
const CALLS: string[][] = [
  ['GET', 'a1'],
  ['GET', 'b1'],
  ['SET', 'a1', 'v'],
  ['SET', 'b1', 'v'],
  ['HSET', 'a2', 'f', 'v'],
  ['HGET', 'b2', 'f'],
  ['MGET', 'a1', 'b1'],
  ['COPY', 'b1', 'a3'],
  ['LPUSH', 'b4', 'x'],
  ['LMOVE', 'b4', 'a4', 'LEFT', 'RIGHT'],
  ['DEL', 'a3'],
  ['EXISTS', 'b1'],
  ['PUBLISH', 'news', 'm'],
  ['PUBLISH', 'other', 'm'],
];

interface Tally {
  cases: number;
  bypasses: string[];
  mismatches: string[];
}

const isError = (r: ParsedReply) => r !== null && typeof r === 'object' && 'error' in r;

/** Any refusal Redis answers (directly, in EXEC's array, or as a script error). */
function refused(r: ParsedReply): boolean {
  if (isError(r)) return /NOPERM|The user executing the script/.test((r as { error: string }).error);
  if (Array.isArray(r)) return r.some(refused);
  return false;
}

async function check(u: DiffPair, tally: Tally, label: string, argv: string[]): Promise<void> {
  await u.compare(argv, (redis, engine) => {
    tally.cases++;
    if (refused(redis) && !refused(engine)) tally.bypasses.push(`${label}: ${argv.join(' ')}`);
    if (!isDeepStrictEqual(redis, engine)) {
      tally.mismatches.push(
        `${label}: ${argv.join(' ')}\n  redis:  ${JSON.stringify(redis)}\n  engine: ${JSON.stringify(engine)}`,
      );
    }
  });
}

const tokens = (r: ParsedReply) => (r as string[]).map((line) => line.split(' ').sort().join(' '));

function combinations(): string[][] {
  const all: string[][] = [];
  for (const c of COMMAND_RULES)
    for (const k of KEY_RULES) for (const ch of CHANNEL_RULES) all.push([...c, ...k, ...ch]);
  if (process.env.REDKIT_FULL === '1') return all;
  // A fixed stride that still walks every command rule, key rule and channel rule.
  return all.filter((_, i) => i % 5 === 0);
}

differential('acl matrix: users × categories × key and channel patterns', (s) => {
  s.test('direct, MULTI/EXEC and EVAL agree with Redis, with no bypass', async (d) => {
    const tally: Tally = { cases: 0, bypasses: [], mismatches: [] };
    const users = combinations();
    for (let n = 0; n < users.length; n++) {
      const rules = users[n]!;
      const name = `m${n}`;
      const label = rules.join(' ');
      await d.same('ACL', 'SETUSER', name, 'on', 'nopass', ...rules);
      // Redis orders single-command rules by hash: compare the description's tokens as a multiset.
      await d.compare(['ACL', 'LIST'], (redis, engine) =>
        assert.deepEqual(tokens(engine), tokens(redis), `ACL LIST after ${label}`),
      );
      const u = await d.pair();
      try {
        await u.same('AUTH', name, 'x');
        for (const call of CALLS) {
          await check(u, tally, `${label} direct`, call);
          await check(u, tally, `${label} multi`, ['MULTI']);
          await check(u, tally, `${label} multi`, call);
          await check(u, tally, `${label} multi`, ['EXEC']);
          const args = call.map((a) => `'${a}'`).join(', ');
          await check(u, tally, `${label} eval`, ['EVAL', `return redis.pcall(${args})`, '0']);
          await check(u, tally, `${label} eval`, ['EVAL', `return redis.call(${args})`, '0']);
        }
      } finally {
        u.close();
      }
      await d.same('ACL', 'DELUSER', name);
    }
    await d.same('ACL', 'LOG', 'RESET');
    assert.deepEqual(tally.bypasses, [], `${tally.bypasses.length} bypasses of ${tally.cases} cases`);
    assert.deepEqual(tally.mismatches, [], `${tally.mismatches.length} mismatches of ${tally.cases} cases`);
    assert.ok(tally.cases > 0);
    console.log(`acl matrix: ${users.length} users, ${tally.cases} cases, 0 bypasses`);
  });
});
