// Child process: loads the keys into an in-process engine and prints the resident bytes per key.
import { createEngine, EngineClient } from '@redkit/engine';
import { KEY_COUNT, keyName, valueFor } from './memory.js';

const gc = (globalThis as { gc?: () => void }).gc;
function settledRss(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().rss;
}

const engine = createEngine();
const client = new EngineClient(engine);
client.callSync('PING');
const before = settledRss();
for (let i = 0; i < KEY_COUNT; i++) client.callSync('SET', keyName(i), valueFor(i));
const after = settledRss();
process.stdout.write(`${(after - before) / KEY_COUNT}\n`);
engine.close();
