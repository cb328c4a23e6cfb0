// Child process: loads one workload into an in-process engine and prints the resident bytes per key.
import { createEngine, EngineClient } from '@redkit/engine';
import { WORKLOADS } from './memory.js';

const workload = WORKLOADS.find((w) => w.name === process.argv[2]) ?? WORKLOADS[0]!;
const gc = (globalThis as { gc?: () => void }).gc;
function settledRss(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().rss;
}

const engine = createEngine();
const client = new EngineClient(engine);
client.callSync('PING');
const before = settledRss();
for (let i = 0; i < workload.keys; i++) {
  for (const argv of workload.commands(i)) client.callSync(...argv);
}
const after = settledRss();
process.stdout.write(`${(after - before) / workload.keys}\n`);
engine.close();
