import { encodeCommand, type ParsedReply, parseFrame, RawClient } from '@redkit/test-utils';
import { type ServerUnderTest, startEngineProcess, startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const ENTRIES = 100_000;
const BATCH = 100;

/** Pipelined XADDs, then XREADGROUP of BATCH entries and one XACK per batch until the stream is drained. */
async function entriesPerSecond(server: ServerUnderTest): Promise<number> {
  const client = await RawClient.connect(server.port);
  await client.command(['DEL', 'events']);
  await client.command(['XGROUP', 'CREATE', 'events', 'workers', '$', 'MKSTREAM']);
  const started = process.hrtime.bigint();
  for (let i = 0; i < ENTRIES; i += BATCH) {
    const frames: Buffer[] = [];
    for (let j = 0; j < BATCH; j++)
      frames.push(encodeCommand(['XADD', 'events', '*', 'order', String(i + j), 'total', '42.50']));
    client.write(Buffer.concat(frames));
    for (let j = 0; j < BATCH; j++) await client.readFrame();
  }
  let acked = 0;
  while (acked < ENTRIES) {
    const reply = parseFrame(
      await client.command([
        'XREADGROUP',
        'GROUP',
        'workers',
        'w1',
        'COUNT',
        BATCH,
        'STREAMS',
        'events',
        '>',
      ]),
    );
    if (reply && typeof reply === 'object' && 'error' in reply)
      throw new Error(`${server.name}: ${reply.error}`);
    if (reply === null) break;
    const entries = (reply as ParsedReply[][])[0]![1] as ParsedReply[][];
    if (entries.length === 0) break;
    const ids = entries.map((e) => e[0] as string);
    acked += parseFrame(await client.command(['XACK', 'events', 'workers', ...ids])) as number;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  if (acked !== ENTRIES) throw new Error(`${server.name}: acknowledged ${acked} of ${ENTRIES}`);
  return ENTRIES / seconds;
}

/** XADD + XREADGROUP + XACK throughput of the engine's server against redis-server, best of `rounds`. */
export async function benchStreams(rounds: number): Promise<void> {
  const servers = [await startRedisProcess(), await startEngineProcess()];
  try {
    const best = [0, 0];
    for (let round = 0; round < rounds; round++) {
      for (const [i, s] of servers.entries()) best[i] = Math.max(best[i]!, await entriesPerSecond(s));
    }
    printTable(
      `Streams: ${ENTRIES.toLocaleString('en-US')} entries through XADD (pipelined ${BATCH}) + XREADGROUP + XACK (entries/s)`,
      ['redis-server', 'redkit engine', 'engine / redis'],
      [[thousands(best[0]!), thousands(best[1]!), ratio(best[1]!, best[0]!)]],
    );
  } finally {
    for (const s of servers) await s.stop();
  }
}
