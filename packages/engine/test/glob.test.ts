import { differential } from '@redkit/test-utils';

const NAMES = [
  'hello',
  'hallo',
  'hxllo',
  'h]llo',
  'h-llo',
  'hllo',
  'heeeello',
  'a*b',
  'a?b',
  'a[b',
  'a\\b',
  'HELLO',
  'x',
  '',
];
const PATTERNS = [
  '*',
  'h?llo',
  'h*llo',
  'h[ae]llo',
  'h[^e]llo',
  'h[a-b]llo',
  'h[a-]llo',
  'h[-a]llo',
  'h[]]llo',
  'h[\\]]llo',
  'h[z-a]llo',
  'a\\*b',
  'a\\?b',
  'a\\[b',
  'a\\\\b',
  'a[\\[]b',
  'h[a',
  'h[',
  '[',
  '\\',
  '*l*o',
  '**',
  '?',
  'h*[l]*o',
  'H[A-Z]LLO',
  '[^h]*',
  'a[*]b',
];

differential('glob patterns as Redis matches them (KEYS, SCAN MATCH, PSUBSCRIBE)', (s) => {
  s.test('KEYS with tricky patterns', async (d) => {
    for (const name of NAMES) await d.same('SET', name, '1');
    for (const pattern of PATTERNS) await d.sameUnordered('KEYS', pattern);
  });

  s.test('PSUBSCRIBE delivery with the same patterns', async (d) => {
    const publisher = await d.pair();
    await d.both('PSUBSCRIBE', ...PATTERNS);
    for (let i = 1; i < PATTERNS.length; i++) await d.sameNext();
    for (const name of NAMES.filter((n) => n !== '')) await publisher.same('PUBLISH', name, 'm');
    publisher.close();
  });
});
