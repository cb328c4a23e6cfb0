// Benchmarks: the engine measured side by side with its peers in one run, printed as ratios.
// Usage: npm run bench [-- server|in-process|memory|scripting|streams|cache|ratelimit|locks|stream-consumer|persistence|snapshot|shop]
import { benchCache } from './cache.js';
import { benchInProcess } from './in-process.js';
import { benchLocks } from './locks.js';
import { benchMemory } from './memory.js';
import { benchPersistence } from './persistence.js';
import { benchRateLimit } from './ratelimit.js';
import { benchScripting } from './scripting.js';
import { benchServerThroughput } from './server-throughput.js';
import { benchShop } from './shop.js';
import { benchSnapshot } from './snapshot.js';
import { benchStreamConsumer } from './stream-consumer.js';
import { benchStreams } from './streams.js';

const only = process.argv[2];
const requests = Number(process.env.BENCH_REQUESTS ?? 100_000);
console.log(`redkit benchmarks — node ${process.version}, ${new Date().toISOString()}`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
if (!only || only === 'server') await benchServerThroughput(requests, rounds);
if (!only || only === 'in-process') await benchInProcess(rounds);
if (!only || only === 'memory') await benchMemory();
if (!only || only === 'scripting') await benchScripting(rounds);
if (!only || only === 'streams') await benchStreams(rounds);
if (!only || only === 'cache') await benchCache(rounds);
if (!only || only === 'ratelimit') await benchRateLimit(rounds);
if (!only || only === 'locks') await benchLocks(rounds);
if (!only || only === 'stream-consumer') await benchStreamConsumer(rounds);
if (!only || only === 'persistence') await benchPersistence(rounds);
if (!only || only === 'snapshot') await benchSnapshot(Math.min(rounds, 3));
if (!only || only === 'shop') await benchShop();
