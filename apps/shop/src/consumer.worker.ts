// A fulfilment consumer that dies mid-order: it joins the group, takes entries, reports each one to its parent
// and never finishes them. The test kills it with SIGKILL; the shop's consumer must then reclaim them.
import { connect, StreamConsumer } from 'redkit';
import type { OrderCreated } from './orders.js';

const [url, stream, group, name] = process.argv.slice(2);
const redis = await connect(url);
const consumer = new StreamConsumer<OrderCreated>(redis, {
  stream: stream!,
  group: group!,
  consumer: name,
  concurrency: 100,
  handler: (entry) => {
    process.send?.({ taken: entry.data.orderId, entryId: entry.id });
    return new Promise(() => {}); // hangs until the process is killed
  },
  onWarning: () => {},
});
await consumer.start();
process.send?.({ ready: true });
