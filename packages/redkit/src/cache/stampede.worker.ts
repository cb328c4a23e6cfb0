/**
 * A process of the cross-process stampede test (stampede.test.ts): on 'go' it fires its share of
 * concurrent getOrSet calls for one key and reports what each caller got. The loader counts its calls in
 * Redis (INCR), so the test sees the total over all processes.
 */
import { connect } from '../client/connect.js';
import { Cache } from './cache.js';

export type Scenario = 'slow' | 'throws' | 'throws-then-works' | 'hangs';

export type ToWorker =
  | {
      type: 'arm';
      scenario: Scenario;
      namespace: string;
      key: string;
      calls: number;
      /** Cache instances in this process (as if several services shared it), each with its own flights. */
      instances: number;
      lockTtl: number;
    }
  | { type: 'go' }
  | { type: 'exit' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'armed' }
  | { type: 'done'; values: Record<string, number>; errors: Record<string, number>; loads: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (message: FromWorker) => process.send!(message);

const redis = await connect(process.argv[2]);
let run: (() => Promise<FromWorker>) | undefined;
let caches: Cache[] = [];

process.on('message', async (message: ToWorker) => {
  if (message.type === 'exit') {
    for (const cache of caches) await cache.close();
    await redis.close();
    process.exit(0);
  }
  if (message.type === 'go') return send(await run!());
  const { scenario, namespace, key, calls, instances, lockTtl } = message;
  for (const cache of caches) await cache.close();
  caches = Array.from(
    { length: instances },
    () => new Cache(redis, { namespace, lockTtl, fillRetries: scenario === 'throws-then-works' ? 1 : 0 }),
  );
  const loader = async () => {
    const call = (await redis.send('INCR', `${namespace}:loader-calls`)) as number;
    if (scenario === 'slow') {
      await sleep(100);
      return 'value';
    }
    if (scenario === 'hangs' && call === 1) await sleep(lockTtl * 10);
    await sleep(30);
    if (scenario === 'throws' || (scenario === 'throws-then-works' && call === 1))
      throw new TypeError('database down');
    return `load ${call}`;
  };
  run = async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: calls }, (_, i) => caches[i % instances]!.getOrSet(key, loader)),
    );
    const values: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const result of settled) {
      if (result.status === 'fulfilled')
        values[String(result.value)] = (values[String(result.value)] ?? 0) + 1;
      else errors[(result.reason as Error).name] = (errors[(result.reason as Error).name] ?? 0) + 1;
    }
    return { type: 'done', values, errors, loads: caches.reduce((sum, c) => sum + c.stats.loads, 0) };
  };
  send({ type: 'armed' });
});
send({ type: 'ready' });
