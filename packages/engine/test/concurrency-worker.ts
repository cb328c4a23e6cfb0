// A separate process hammering the engine's server: argv = port, clients, operations per client.
import { encodeCommand, parseFrame, RawClient } from '@redkit/test-utils';

const [port, clients, operations] = process.argv.slice(2).map(Number) as [number, number, number];
await Promise.all(
  Array.from({ length: clients }, async (_, i) => {
    const client = await RawClient.connect(port);
    for (let j = 0; j < operations; j++) {
      client.write(
        Buffer.concat([
          encodeCommand(['INCR', 'processes']),
          encodeCommand(['RPUSH', 'log', `${process.pid}:${i}:${j}`]),
        ]),
      );
      const incr = parseFrame(await client.readFrame());
      const push = parseFrame(await client.readFrame());
      if (typeof incr !== 'number' || typeof push !== 'number')
        throw new Error(`bad replies ${String(incr)} ${String(push)}`);
    }
    client.close();
  }),
);
process.exit(0);
