import { connect, type Socket } from 'node:net';
import { encodeCommand, frameEnd } from './resp-frames.js';

/** A bare TCP client that returns each reply as its exact bytes. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a command and returns the bytes of its reply. */
  async command(argv: Array<string | Buffer | number>, timeoutMs = 5000): Promise<Buffer> {
    this.write(encodeCommand(argv));
    return this.readFrame(timeoutMs);
  }

  write(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** The next complete reply frame. */
  async readFrame(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.length > 0 ? frameEnd(this.buffer) : -1;
      if (end >= 0) {
        const frame = this.buffer.subarray(0, end);
        this.buffer = this.buffer.subarray(end);
        return Buffer.from(frame);
      }
      if (this.closed)
        throw new Error(
          `connection closed while waiting for a reply (got ${JSON.stringify(this.buffer.toString('latin1'))})`,
        );
      if (!(await this.waitForData(deadline - Date.now()))) {
        throw new Error(
          `no reply within ${timeoutMs} ms (buffered ${JSON.stringify(this.buffer.toString('latin1'))})`,
        );
      }
    }
  }

  /** Everything received until the server closes the connection (or the timeout passes). */
  async readUntilClosed(timeoutMs = 2000): Promise<{ bytes: Buffer; closed: boolean }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.waitForData(deadline - Date.now());
    const bytes = this.buffer;
    this.buffer = Buffer.alloc(0);
    return { bytes, closed: this.closed };
  }

  /** Whatever arrives within `ms` (for checking that nothing is sent). */
  async drain(ms: number): Promise<Buffer> {
    await new Promise((r) => setTimeout(r, ms));
    const bytes = this.buffer;
    this.buffer = Buffer.alloc(0);
    return bytes;
  }

  private waitForData(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Every frame a subscribed client received until a message on the `marker` channel: for comparing the
 * keyspace-event streams of two servers.
 */
export async function framesUntilMarker(client: RawClient, timeoutMs = 2000): Promise<string[]> {
  const frames: string[] = [];
  for (;;) {
    const frame = (await client.readFrame(timeoutMs)).toString('latin1');
    if (frame.includes('marker')) return frames;
    frames.push(frame);
  }
}
