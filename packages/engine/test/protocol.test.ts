import assert from 'node:assert/strict';
import { createLogger, setEngineLogger } from '@redkit/engine';
import { differential } from '@redkit/test-utils';

differential('protocol: framing and malformed input', (s) => {
  s.test('pipelined multibulk and inline commands', async (d) => {
    await d.sameRaw(
      'PING\r\n*2\r\n$4\r\nECHO\r\n$3\r\na\nb\r\nECHO "x y"\r\n\r\n*0\r\n*-1\r\nPING\r\nQUIT\r\n',
    );
  });

  const malformed: Array<[string, string]> = [
    ['invalid multibulk length', '*x\r\n'],
    ['multibulk count with a leading zero', '*01\r\n$4\r\nPING\r\n'],
    ['multibulk count with a plus sign', '*+1\r\n$4\r\nPING\r\n'],
    ['multibulk count over INT_MAX', '*2147483648\r\n'],
    ['negative bulk length', '*1\r\n$-1\r\n'],
    ['bulk length over proto-max-bulk-len', '*1\r\n$536870913\r\n'],
    ['bulk length that is not a number', '*1\r\n$1x\r\n'],
    ['a non-bulk element', '*1\r\n:12\r\n'],
    ['binary junk inside a multibulk', '*2\r\n$4\r\nPING\r\n\xff\xfe\r\n'],
    ['unbalanced quotes inline', 'PING "abc\r\n'],
    ['closing quote followed by a character', 'ECHO "abc"d\r\n'],
    ['good commands before a bad one', 'PING\r\nECHO hi\r\n*1\r\n$x\r\n'],
  ];
  for (const [name, input] of malformed) {
    s.test(`protocol error: ${name}`, async (d) => {
      const result = await d.sameRaw(Buffer.from(input, 'latin1'));
      assert.equal(result.closed, true);
    });
  }

  s.test('a NUL byte in a header line makes Redis wait for more, as C strchr stops there', async (d) => {
    const result = await d.sameRaw(Buffer.from('*2\r\n$4\r\nPING\r\n\x00\xff\xfe\r\n', 'latin1'), 300);
    assert.equal(result.closed, false);
  });

  s.test('an inline request over 64 KB without a newline', async (d) => {
    await d.sameRaw(Buffer.alloc(65 * 1024, 0x61), 2000);
  });

  s.test('a multibulk count line over 64 KB', async (d) => {
    await d.sameRaw(Buffer.from(`*${'9'.repeat(65 * 1024)}`), 2000);
  });

  s.test('a client that never finishes its frame gets no reply and others are unaffected', async (d) => {
    const other = await d.pair();
    d.redis.write('*2\r\n$4\r\nECHO\r\n$100\r\nabc');
    d.engine.write('*2\r\n$4\r\nECHO\r\n$100\r\nabc');
    await other.same('PING');
    assert.equal((await d.redis.drain(50)).length, 0);
    assert.equal((await d.engine.drain(0)).length, 0);
    // The frame completes later and gets its reply.
    const rest = `${'x'.repeat(97)}\r\n`;
    d.redis.write(rest);
    d.engine.write(rest);
    await d.sameNext();
    other.close();
  });

  s.test('a huge claimed bulk is not allocated up front', async (d) => {
    const other = await d.pair();
    const before = process.memoryUsage().rss;
    d.redis.write('*2\r\n$4\r\nECHO\r\n$500000000\r\nabc');
    d.engine.write('*2\r\n$4\r\nECHO\r\n$500000000\r\nabc');
    await other.same('PING');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
    other.close();
  });

  s.test('proto-max-bulk-len set at run time applies to connected clients', async (d) => {
    const other = await d.pair();
    await other.same('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    try {
      const result = await d.sameRaw('*2\r\n$4\r\nECHO\r\n$1048577\r\n');
      assert.equal(result.closed, true);
      const third = await d.pair();
      await third.same('ECHO', 'x'.repeat(1024 * 1024));
      third.close();
    } finally {
      await other.same('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
      other.close();
    }
  });

  s.test(
    'client-query-buffer-limit: a huge argument still arriving closes the client, no reply',
    async (d) => {
      const other = await d.pair();
      await other.same('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
      const logged: string[] = [];
      setEngineLogger(s.engine(), (level, message) => logged.push(`${level} ${message}`));
      try {
        const header = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n');
        const result = await d.sameRaw(Buffer.concat([header, Buffer.alloc(1_500_000, 0x61)]), 2000);
        assert.equal(result.closed, true);
        assert.equal(result.bytes.length, 0);
        await other.same('EXISTS', 'k');
        // Logged as Redis logs it: the client, then the first 64 bytes of its query buffer.
        assert.equal(logged.length, 1);
        assert.match(
          logged[0]!,
          /^warning Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ .* qbuf=\d+ .* \(qbuf initial bytes: "a{64}"\)$/,
        );
      } finally {
        setEngineLogger(s.engine(), createLogger());
        await other.same('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
        other.close();
      }
    },
  );

  s.test(
    'client-query-buffer-limit counts unparsed bytes only, not the arguments already read',
    async (d) => {
      const other = await d.pair();
      await other.same('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
      try {
        // 200 arguments of 10 KB (2 MB) of a 300-argument command: each argument leaves the buffer once read.
        let frame = '*300\r\n$4\r\nECHO\r\n';
        for (let i = 0; i < 200; i++) frame += `$10000\r\n${'b'.repeat(10000)}\r\n`;
        const result = await d.sameRaw(frame, 300);
        assert.equal(result.closed, false);
      } finally {
        await other.same('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
        other.close();
      }
    },
  );

  s.test('QUIT answers OK and closes', async (d) => {
    await d.sameRaw('QUIT\r\nPING\r\n');
  });
});
