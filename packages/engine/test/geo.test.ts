import assert from 'node:assert/strict';
import { type DiffPair, differential, type ParsedReply } from '@redkit/test-utils';

/** A small deterministic PRNG (mulberry32), so a failing random case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Member/score lists equal, scores within a relative 1e-12. */
function closeScores(redis: ParsedReply, engine: ParsedReply): void {
  assert.ok(Array.isArray(redis) && Array.isArray(engine));
  assert.equal(engine.length, redis.length);
  for (let i = 0; i < redis.length; i += 2) {
    assert.deepEqual(engine[i], redis[i]);
    const a = Number(String(redis[i + 1]));
    const b = Number(String(engine[i + 1]));
    assert.ok(Math.abs(a - b) <= Math.abs(a) * 1e-12, `score of ${String(redis[i])}: ${a} vs ${b}`);
  }
}

const SICILY = ['13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'];

async function sicily(d: DiffPair, key = 'Sicily'): Promise<void> {
  await d.same('GEOADD', key, ...SICILY);
  await d.same('GEOADD', key, '12.758489', '38.788135', 'edge1', '17.241510', '38.788135', 'edge2');
}

const BINARY = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0x80, 0x7f, 0x20]);

differential('geo commands', (s) => {
  s.test('GEOADD options, replies and errors', async (d) => {
    await d.same('GEOADD', 'k', ...SICILY);
    await d.same('GEOADD', 'k', ...SICILY);
    await d.same('ZRANGE', 'k', '0', '-1', 'WITHSCORES');
    await d.same('TYPE', 'k');
    await d.same('OBJECT', 'ENCODING', 'k');
    await d.same('GEOADD', 'k', 'NX', '13', '38', 'Palermo', '1', '2', 'new');
    await d.same('GEOADD', 'k', 'XX', '13', '38', 'Palermo', '1', '2', 'other');
    await d.same('GEOADD', 'k', 'XX', 'CH', '14', '38', 'Palermo', '1', '2', 'other2');
    await d.same('GEOADD', 'k', 'CH', '14', '38', 'Palermo', '3', '4', 'x');
    await d.same('GEOADD', 'k', 'ch', 'nx', '14', '39', 'Palermo', '3', '4', 'y');
    await d.same('GEOADD', 'k', 'CH', 'CH', '1', '1', 'z');
    await d.same('GEOADD', 'k', '5', '5', 'dup', '6', '6', 'dup');
    await d.same('ZRANGE', 'k', '0', '-1', 'WITHSCORES');
    await d.same('GEOADD', 'nokey', 'XX', '1', '1', 'a');
    await d.same('EXISTS', 'nokey');
    await d.same('GEOADD', 'k', 'NX', 'XX', '1', '1', 'a');
    await d.same('GEOADD', 'k', 'XX', 'NX', '1', '1', 'a');
    await d.same('GEOADD', 'k', 'CH', 'NX', 'XX');
    await d.same('GEOADD', 'k', 'CH', 'CH', 'CH');
    await d.same('GEOADD', 'k', '1', '1');
    await d.same('GEOADD', 'k', '1', '1', 'a', '2');
    await d.same('GEOADD', 'k', 'GT', '1', '1', 'a');
    await d.same('GEOADD', 'k', 'GT', '1', '1');
    await d.same('GEOADD', 'k', 'x', '1', 'a');
    await d.same('GEOADD', 'k', '1', 'nan', 'a');
    await d.same('GEOADD', 'k', '1', '', 'a');
    await d.same('GEOADD', 'k', ' 1', '1', 'a');
    await d.same('GEOADD', 'k', '1e400', '1', 'a');
    await d.same('GEOADD', 'k');
    await d.same('GEOADD', 'k', '1', '1');
    // Out-of-range pairs: Redis prints both values with %f.
    for (const [lon, lat] of [
      ['200', '100'],
      ['-180.0000001', '0'],
      ['180', '85.05112879'],
      ['0', '-85.0511288'],
      ['inf', '1'],
      ['1', '-inf'],
      ['1e300', '0.0078125'],
      ['-0', '90'],
      ['0x10', '95.5'],
      ['181', '0.00000049999999999999999'],
      ['181', '0.0000025'],
      ['181', '-1.0000005'],
    ]) {
      await d.same('GEOADD', 'k', lon!, lat!, 'bad');
    }
    // Limits are inclusive.
    await d.same('GEOADD', 'lim', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw', '0', '0', 'o');
    await d.same('GEOADD', 'lim', '180', '-85.05112878', 'se', '-180', '85.05112878', 'nw');
    await d.same('ZRANGE', 'lim', '0', '-1', 'WITHSCORES');
    await d.same('GEOPOS', 'lim', 'ne', 'sw', 'o', 'se', 'nw');
    await d.same('GEOHASH', 'lim', 'ne', 'sw', 'o', 'se', 'nw');
    // A coordinate error stops the command before anything changes, even before WRONGTYPE.
    await d.same('GEOADD', 'k', '1', '1', 'first', '500', '1', 'second');
    await d.same('ZSCORE', 'k', 'first');
    await d.same('SET', 'str', 'v');
    await d.same('GEOADD', 'str', '1', '1', 'a');
    await d.same('GEOADD', 'str', '500', '1', 'a');
    await d.same('GEOADD', 'str', 'NX', 'XX', '1', '1', 'a');
  });

  s.test('GEOADD keeps the sorted-set encoding rules', async (d) => {
    const args: string[] = [];
    for (let i = 0; i < 129; i++) args.push(String(i / 2 - 30), String(i / 3 - 20), `m${i}`);
    await d.same('GEOADD', 'big', ...args.slice(0, 128 * 3));
    await d.same('OBJECT', 'ENCODING', 'big');
    await d.same('GEOADD', 'big', ...args.slice(128 * 3));
    await d.same('OBJECT', 'ENCODING', 'big');
    await d.same('GEOADD', 'long', '1', '1', 'x'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'long');
    await d.same('GEOADD', 'short', '1', '1', 'x'.repeat(64));
    await d.same('OBJECT', 'ENCODING', 'short');
    await d.same('GEOSEARCH', 'big', 'FROMLONLAT', '0', '0', 'BYRADIUS', '2000', 'km', 'ASC', 'WITHCOORD');
  });

  s.test('GEOPOS, GEOHASH and GEODIST', async (d) => {
    await sicily(d);
    await d.same('GEOPOS', 'Sicily', 'Palermo', 'Catania', 'nope', 'edge1', 'edge2');
    await d.same('GEOPOS', 'nokey', 'a', 'b');
    await d.same('GEOPOS', 'Sicily');
    await d.same('GEOPOS', 'nokey');
    await d.same('GEOHASH', 'Sicily', 'Palermo', 'Catania', 'nope', 'edge1', 'edge2');
    await d.same('GEOHASH', 'nokey', 'a');
    await d.same('GEOHASH', 'Sicily');
    await d.same('GEODIST', 'Sicily', 'Palermo', 'Catania');
    for (const unit of ['m', 'km', 'ft', 'mi', 'KM', 'Mi', 'FT', 'M']) {
      await d.same('GEODIST', 'Sicily', 'Palermo', 'Catania', unit);
    }
    await d.same('GEODIST', 'Sicily', 'Palermo', 'Palermo');
    await d.same('GEODIST', 'Sicily', 'Palermo', 'nope');
    await d.same('GEODIST', 'Sicily', 'nope', 'Palermo');
    await d.same('GEODIST', 'nokey', 'a', 'b');
    await d.same('GEODIST', 'nokey', 'a', 'b', 'parsec');
    await d.same('GEODIST', 'Sicily', 'Palermo', 'Catania', 'parsec');
    await d.same('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'extra');
    await d.same('GEODIST', 'Sicily', 'Palermo');
    await d.same('GEODIST', 'Sicily', 'edge1', 'edge2', 'ft');
    // Members with scores no GEOADD would write decode as Redis's C conversions do.
    await d.same(
      'ZADD',
      'odd',
      '-1',
      'a',
      '-1e300',
      'b',
      'inf',
      'c',
      '-inf',
      'd',
      '1e300',
      'e',
      '9.3e18',
      'f',
      '9223372036854775808',
      'g',
      '1.5e19',
      'h',
      '2e19',
      'i',
      '0.5',
      'j',
      '4503599627370496',
      'l',
      '4503599627370495',
      'm',
      '3479099956230698.7',
      'n',
      '-0',
      'o',
    );
    const members = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n', 'o'];
    await d.same('GEOPOS', 'odd', ...members);
    await d.same('GEOHASH', 'odd', ...members);
    await d.same('GEODIST', 'odd', 'a', 'b');
    await d.same('GEODIST', 'odd', 'c', 'h', 'km');
    await d.same('GEODIST', 'odd', 'l', 'm');
    await d.same('GEORADIUSBYMEMBER', 'odd', 'n', '100', 'km', 'WITHHASH', 'WITHCOORD', 'WITHDIST');
    await d.same('SET', 'str', 'v');
    await d.same('GEOPOS', 'str', 'a');
    await d.same('GEOHASH', 'str', 'a');
    await d.same('GEODIST', 'str', 'a', 'b');
    await d.same('GEODIST', 'str', 'a', 'b', 'bad');
    await d.same('GEOPOS');
    await d.same('GEOHASH');
  });

  s.test('binary member names', async (d) => {
    await d.same('GEOADD', 'bin', '10', '20', BINARY, '10.0001', '20.0001', Buffer.from('a\r\nb'));
    await d.same('GEOPOS', 'bin', BINARY, Buffer.from('a\r\nb'));
    await d.same('GEOHASH', 'bin', BINARY);
    await d.same('GEODIST', 'bin', BINARY, Buffer.from('a\r\nb'));
    await d.same('GEOSEARCH', 'bin', 'FROMMEMBER', BINARY, 'BYRADIUS', '1', 'km', 'WITHDIST', 'ASC');
    await d.same('GEORADIUSBYMEMBER', 'bin', BINARY, '100', 'km', 'STORE', BINARY);
    await d.same('ZRANGE', BINARY, '0', '-1', 'WITHSCORES');
    await d.same('GEOSEARCH', 'bin', 'FROMMEMBER', Buffer.from([0, 0xff]), 'BYRADIUS', '1', 'km');
  });

  s.test('GEORADIUS and GEORADIUSBYMEMBER', async (d) => {
    await sicily(d);
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'withhash', 'withcoord');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'ASC');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'DESC');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1', 'DESC');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1', 'ANY');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '10', 'ANY', 'ASC');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '3', 'WITHDIST');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '10', 'm');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '0', 'm');
    await d.same('GEORADIUS', 'Sicily', '15', '37', 'inf', 'm');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200000', 'ft', 'WITHDIST');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '300', 'mi', 'WITHDIST');
    await d.same('GEORADIUS', 'nokey', '15', '37', '200', 'km');
    await d.same('GEORADIUS', 'nokey', '15', '37', '200', 'km', 'WITHDIST');
    await d.same('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'WITHDIST', 'WITHCOORD');
    await d.same('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'COUNT', '2', 'DESC');
    await d.same('GEORADIUSBYMEMBER', 'Sicily', 'nope', '200', 'km');
    await d.same('GEORADIUSBYMEMBER', 'Sicily', 'nope', '-1', 'km');
    await d.same('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '-1', 'km');
    await d.same('GEORADIUSBYMEMBER', 'nokey', 'Palermo', '-1', 'parsec', 'WITHDIST');
    await d.same('GEORADIUSBYMEMBER', 'nokey', 'Palermo', '200', 'km', 'STORE', 'dst');
    await d.same('GEORADIUSBYMEMBER', 'nokey', 'Palermo', '200', 'km', 'BAD');
    await d.same('GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '200', 'km', 'ASC');
    await d.same('GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '200', 'km', 'STORE', 'x');
    await d.same('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'ASC');
    await d.same('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'x');
    await d.same('GEORADIUS_RO', 'nokey', '15', '37', '200', 'km');
  });

  s.test('search argument errors in Redis order', async (d) => {
    await sicily(d);
    const bad: string[][] = [
      ['GEORADIUS', 'Sicily', '15', '37', '200'],
      ['GEORADIUS', 'Sicily', 'x', '37', '200', 'km'],
      ['GEORADIUS', 'Sicily', '15', '91', '200', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', 'x', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '-1', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '-0', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'parsec'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', '0'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', '-5'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', 'x'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', '99999999999999999999'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'ANY'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'ANY', 'COUNT', '0'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'STORE'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'STORE', 'x', 'WITHDIST'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'WITHHASH', 'STOREDIST', 'x'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'FROMMEMBER', 'Palermo'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'NOSUCH'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'WITHDIST', 'BAD', 'COUNT', '0'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', '0', 'BAD'],
      ['GEOSEARCH', 'Sicily'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'x'],
      ['GEOSEARCH', 'Sicily', 'BYRADIUS', '1', 'km', 'ASC'],
      ['geosearch', 'Sicily', 'BYRADIUS', '1', 'km', 'ASC'],
      ['GeoSearch', 'Sicily', 'FROMLONLAT', '1', '1', 'COUNT', '2'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYRADIUS', '-1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '100', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', 'x', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYRADIUS', 'x', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'lightyear'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', 'x', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', 'x', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '-1', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '-1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'yd'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMMEMBER', 'Catania', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STORE', 'x'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STOREDIST'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'ANY'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'COUNT', '0', 'ANY'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'ANY'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'Palermo'],
      ['GEOSEARCH', 'nokey', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'km', 'x'],
      ['GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'WITHDIST'],
      ['GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STORE', 'x'],
      ['GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMMEMBER', 'Palermo', 'WITHCOORD'],
      ['GEOSEARCHSTORE', 'dst', 'Sicily', 'BYRADIUS', '1', 'km', 'STOREDIST'],
      ['geosearchstore', 'dst', 'Sicily', 'FROMMEMBER', 'Palermo', 'STOREDIST'],
      ['GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '1', 'km', 'FROMLONLAT', '1', '1'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '1', 'km', 'WITHCOORD', 'STORE', 'x'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '1'],
      ['GEORADIUS', 'Sicily', '1', '1', '1', 'km', 'COUNT', '1', 'COUNT', '0'],
    ];
    for (const args of bad) await d.same(...args);
    await d.same('SET', 'str', 'x');
    await d.same('GEORADIUS', 'str', '15', '37', '200', 'km');
    await d.same('GEORADIUS', 'str', 'bad', '37', '200', 'km');
    await d.same('GEORADIUSBYMEMBER', 'str', 'a', '200', 'km');
    await d.same('GEOSEARCH', 'str', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km');
    await d.same('GEOSEARCHSTORE', 'dst', 'str', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km');
    await d.same('GEOSEARCHSTORE', 'str', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km');
    await d.same('TYPE', 'str');
  });

  s.test('GEOSEARCH shapes and options', async (d) => {
    await sicily(d);
    await d.same(
      'GEOSEARCH',
      'Sicily',
      'FROMLONLAT',
      '15',
      '37',
      'BYBOX',
      '400',
      '400',
      'km',
      'ASC',
      'WITHCOORD',
      'WITHDIST',
    );
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km');
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '40', 'km');
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '0', '0', 'km');
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1000', '1000', 'mi', 'DESC');
    await d.same('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'DESC', 'WITHHASH');
    await d.same(
      'GEOSEARCH',
      'Sicily',
      'frommember',
      'Palermo',
      'bybox',
      '200',
      '200',
      'KM',
      'asc',
      'count',
      '1',
    );
    await d.same(
      'GEOSEARCH',
      'Sicily',
      'FROMMEMBER',
      'Palermo',
      'BYRADIUS',
      '200',
      'km',
      'COUNT',
      '2',
      'ANY',
    );
    await d.same(
      'GEOSEARCH',
      'Sicily',
      'FROMMEMBER',
      'Palermo',
      'BYRADIUS',
      '500',
      'km',
      'COUNT',
      '3',
      'ANY',
      'DESC',
    );
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km');
    await d.same('GEOSEARCH', 'nokey', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km');
    await d.same('GEOSEARCH', 'nokey', 'FROMLONLAT', '15', '37', 'BYBOX', '1', '1', 'km');
    // Options may repeat; the last one wins.
    await d.same(
      'GEOSEARCH',
      'Sicily',
      'FROMLONLAT',
      '15',
      '37',
      'BYRADIUS',
      '200',
      'km',
      'ASC',
      'DESC',
      'COUNT',
      '9',
      'COUNT',
      '1',
    );
    // Points exactly on the limits and searches centred there.
    await d.same(
      'GEOADD',
      'lim',
      '180',
      '85.05112878',
      'ne',
      '-180',
      '-85.05112878',
      'sw',
      '180',
      '0',
      'e',
      '-180',
      '0',
      'w',
    );
    await d.same('GEOADD', 'lim', '0', '85.05112878', 'n', '0', '-85.05112878', 's', '179.9', '85', 'x');
    for (const [lon, lat] of [
      ['180', '85.05112878'],
      ['-180', '-85.05112878'],
      ['180', '0'],
      ['-180', '0'],
      ['0', '85.05112878'],
      ['179.99', '-85'],
    ]) {
      await d.same(
        'GEOSEARCH',
        'lim',
        'FROMLONLAT',
        lon!,
        lat!,
        'BYRADIUS',
        '500',
        'km',
        'WITHDIST',
        'WITHCOORD',
      );
      await d.same('GEOSEARCH', 'lim', 'FROMLONLAT', lon!, lat!, 'BYBOX', '1000', '600', 'km', 'WITHHASH');
      await d.same('GEOSEARCH', 'lim', 'FROMLONLAT', lon!, lat!, 'BYRADIUS', '30000', 'km', 'ASC');
    }
  });

  s.test('STORE, STOREDIST and GEOSEARCHSTORE', async (d) => {
    await sicily(d);
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'dst');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'mi', 'STORE', 'a', 'STOREDIST', 'b');
    await d.same('EXISTS', 'a', 'b');
    await d.same('ZRANGE', 'b', '0', '-1', 'WITHSCORES');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'a', 'STORE', 'b2');
    await d.same('ZRANGE', 'b2', '0', '-1', 'WITHSCORES');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1', 'DESC', 'STORE', 'c');
    await d.same('ZRANGE', 'c', '0', '-1', 'WITHSCORES');
    await d.same('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '300', 'km', 'STOREDIST', 'd', 'COUNT', '2');
    await d.same('ZRANGE', 'd', '0', '-1', 'WITHSCORES');
    await d.same('GEOSEARCHSTORE', 'e', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '500', '500', 'km');
    await d.same('ZRANGE', 'e', '0', '-1', 'WITHSCORES');
    await d.same(
      'GEOSEARCHSTORE',
      'e',
      'Sicily',
      'FROMMEMBER',
      'Palermo',
      'BYBOX',
      '500',
      '500',
      'km',
      'STOREDIST',
      'DESC',
    );
    await d.same('ZRANGE', 'e', '0', '-1', 'WITHSCORES');
    await d.same(
      'GEOSEARCHSTORE',
      'f',
      'Sicily',
      'FROMLONLAT',
      '15',
      '37',
      'BYRADIUS',
      '200',
      'ft',
      'STOREDIST',
    );
    await d.same(
      'GEOSEARCHSTORE',
      'Sicily',
      'Sicily',
      'FROMLONLAT',
      '15',
      '37',
      'BYRADIUS',
      '100',
      'km',
      'STOREDIST',
    );
    await d.same('ZRANGE', 'Sicily', '0', '-1', 'WITHSCORES');
    // An empty result deletes the destination, whatever its type; a missing source too.
    await d.same('SET', 'dst', 'x');
    await d.same('EXPIRE', 'e', '100');
    await d.same('GEOSEARCHSTORE', 'e', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '100', 'km');
    await d.same('TTL', 'e');
    await d.same('GEORADIUS', 'Sicily', '0', '0', '1', 'km', 'STORE', 'dst');
    await d.same('EXISTS', 'dst');
    await d.same('SET', 'dst', 'x');
    await d.same('GEOSEARCHSTORE', 'dst', 'nokey', 'FROMLONLAT', '15', '37', 'BYRADIUS', '100', 'km');
    await d.same('EXISTS', 'dst');
    await d.same('SET', 'dst', 'x');
    await d.same('GEORADIUSBYMEMBER', 'nokey', 'm', '1', 'km', 'STORE', 'dst');
    await d.same('EXISTS', 'dst');
    await d.same('GEORADIUS', 'nokey', '1', '1', '1', 'km', 'STOREDIST', 'dst');
    // A destination with many or long members is skiplist-encoded as Redis converts it.
    const args: string[] = [];
    for (let i = 0; i < 200; i++) args.push(String(10 + i / 1000), String(20 + i / 1000), `p${i}`);
    await d.same('GEOADD', 'many', ...args);
    await d.same('GEOADD', 'many', '10', '20', 'y'.repeat(70));
    await d.same('GEOSEARCHSTORE', 'g', 'many', 'FROMLONLAT', '10', '20', 'BYRADIUS', '50', 'km');
    await d.same('OBJECT', 'ENCODING', 'g');
    await d.same(
      'GEOSEARCHSTORE',
      'g',
      'many',
      'FROMLONLAT',
      '10',
      '20',
      'BYRADIUS',
      '50',
      'km',
      'COUNT',
      '100',
    );
    await d.same('OBJECT', 'ENCODING', 'g');
    await d.same(
      'GEOSEARCHSTORE',
      'g',
      'many',
      'FROMLONLAT',
      '10.1',
      '20.1',
      'BYRADIUS',
      '5',
      'km',
      'COUNT',
      '10',
    );
    await d.same('OBJECT', 'ENCODING', 'g');
    await d.same('ZRANGE', 'g', '0', '-1', 'WITHSCORES');
  });

  s.test('ties: equal distances keep Redis order (full and partial sort)', async (d) => {
    const args: string[] = [];
    for (let i = 0; i < 60; i++) args.push('10', '20', `same${i}`);
    for (let i = 0; i < 60; i++) args.push('10.01', '20', `east${i}`, '9.99', '20', `west${i}`);
    await d.same('GEOADD', 'ties', ...args);
    for (const count of ['1', '5', '7', '8', '30', '41', '59', '60', '61', '100', '179', '180', '500']) {
      for (const order of [[], ['DESC'], ['ANY']]) {
        await d.same(
          'GEOSEARCH',
          'ties',
          'FROMLONLAT',
          '10',
          '20',
          'BYRADIUS',
          '5',
          'km',
          'COUNT',
          count,
          ...order,
        );
      }
    }
    await d.same('GEOSEARCH', 'ties', 'FROMLONLAT', '10', '20', 'BYRADIUS', '5', 'km', 'ASC');
    await d.same('GEOSEARCH', 'ties', 'FROMLONLAT', '10', '20', 'BYRADIUS', '5', 'km', 'DESC', 'WITHDIST');
  });

  s.test('random points against random circles and boxes', async (d) => {
    const rand = prng(Number(process.env.GEO_SEED ?? 20240607));
    const centres: [number, number][] = [];
    for (let i = 0; i < 6; i++) centres.push([rand() * 360 - 180, rand() * 160 - 80]);
    centres.push([179.5, 0], [-179.5, 10], [0, 84], [10, -84.9]);
    const points: string[] = [];
    const total = 3000;
    for (let i = 0; i < total; i++) {
      let lon: number;
      let lat: number;
      if (i % 3 === 0) {
        lon = rand() * 360 - 180;
        lat = rand() * 170 - 85;
      } else {
        const [clon, clat] = centres[i % centres.length]!;
        lon = Math.max(-180, Math.min(180, clon + (rand() - 0.5) * 4));
        lat = Math.max(-85, Math.min(85, clat + (rand() - 0.5) * 4));
      }
      points.push(lon.toFixed(6), lat.toFixed(6), `pt:${i}`);
    }
    for (let i = 0; i < points.length; i += 300) await d.same('GEOADD', 'pts', ...points.slice(i, i + 300));
    await d.same('GEOADD', 'small', ...points.slice(0, 100 * 3));
    await d.same('OBJECT', 'ENCODING', 'small');
    const units = ['m', 'km', 'mi', 'ft'];
    const scale = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 } as Record<string, number>;
    for (let q = 0; q < 120; q++) {
      const key = q % 4 === 0 ? 'small' : 'pts';
      let lon: number;
      let lat: number;
      if (q % 2 === 0) {
        const [clon, clat] = centres[q % centres.length]!;
        lon = Math.max(-180, Math.min(180, clon + (rand() - 0.5) * 3));
        lat = Math.max(-85, Math.min(85, clat + (rand() - 0.5) * 3));
      } else {
        lon = rand() * 360 - 180;
        lat = rand() * 170 - 85;
      }
      const unit = units[q % units.length]!;
      const meters = 10 ** (2 + rand() * 5);
      const size = (meters / scale[unit]!).toPrecision(6);
      const from = ['FROMLONLAT', lon.toFixed(5), lat.toFixed(5)];
      const by =
        q % 3 === 0
          ? ['BYBOX', size, (Number(size) * (0.2 + rand() * 2)).toPrecision(5), unit]
          : ['BYRADIUS', size, unit];
      const withs = q % 5 === 0 ? ['WITHCOORD', 'WITHDIST', 'WITHHASH'] : q % 5 === 1 ? ['WITHDIST'] : [];
      await d.same('GEOSEARCH', key, ...from, ...by, ...withs);
      await d.same('GEOSEARCH', key, ...from, ...by, 'ASC', 'WITHDIST');
      await d.same('GEOSEARCH', key, ...from, ...by, 'DESC');
      const count = String(1 + Math.floor(rand() * 50));
      await d.same('GEOSEARCH', key, ...from, ...by, 'COUNT', count, 'WITHDIST');
      await d.same('GEOSEARCH', key, ...from, ...by, 'COUNT', count, 'ANY');
      await d.same('GEOSEARCH', key, ...from, ...by, 'COUNT', count, 'ANY', 'DESC');
      if (q % 4 === 1) {
        await d.same('GEOSEARCHSTORE', 'out', key, ...from, ...by, 'STOREDIST');
        // Distances can differ in the last bit (V8's sin/cos/asin against glibc's): scores compared to 1e-12.
        await d.compare(['ZRANGE', 'out', '0', '-1', 'WITHSCORES'], closeScores);
        await d.same('GEORADIUS', key, lon.toFixed(5), lat.toFixed(5), size, unit, 'STORE', 'out2');
        await d.same('ZRANGE', 'out2', '0', '-1', 'WITHSCORES');
      }
      if (q % 6 === 0) {
        const member = `pt:${Math.floor(rand() * (key === 'small' ? 100 : total))}`;
        await d.same('GEORADIUSBYMEMBER', key, member, size, unit, 'WITHDIST', 'ASC');
        await d.same('GEOSEARCH', key, 'FROMMEMBER', member, ...by, 'WITHCOORD');
      }
    }
    const someMembers: string[] = [];
    for (let i = 0; i < 40; i++) someMembers.push(`pt:${Math.floor(rand() * total)}`);
    await d.same('GEOPOS', 'pts', ...someMembers);
    await d.same('GEOHASH', 'pts', ...someMembers);
    for (let i = 0; i + 1 < someMembers.length; i += 2) {
      await d.same('GEODIST', 'pts', someMembers[i]!, someMembers[i + 1]!, units[i % 4]!);
    }
  });

  s.test('RESP3 forms', async (d) => {
    await sicily(d);
    await d.resp3();
    await d.same('GEOPOS', 'Sicily', 'Palermo', 'nope', 'Catania');
    await d.same('GEOPOS', 'nokey', 'a');
    await d.same('GEOHASH', 'Sicily', 'Palermo', 'nope');
    await d.same('GEODIST', 'Sicily', 'Palermo', 'Catania');
    await d.same('GEODIST', 'Sicily', 'Palermo', 'nope');
    await d.same('GEODIST', 'nokey', 'Palermo', 'nope');
    await d.same('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC');
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHCOORD');
    await d.same('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km');
    await d.same('GEOSEARCH', 'nokey', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km');
    await d.same('GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km');
    await d.same('EVAL', "return redis.call('GEOPOS', KEYS[1], 'Palermo')", '1', 'Sicily');
  });

  s.test('inside scripts and transactions', async (d) => {
    await sicily(d);
    await d.same('EVAL', "return redis.call('GEOPOS', KEYS[1], 'Palermo', 'x')", '1', 'Sicily');
    await d.same('EVAL', "return redis.call('GEODIST', KEYS[1], 'Palermo', 'Catania')", '1', 'Sicily');
    await d.same(
      'EVAL',
      "return redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'WITHCOORD')",
      '1',
      'Sicily',
    );
    await d.same('MULTI');
    await d.same('GEOADD', 'Sicily', '13', '38', 'x');
    await d.same('GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMMEMBER', 'x', 'BYRADIUS', '100', 'km');
    await d.same('GEOPOS', 'dst', 'x');
    await d.same('EXEC');
  });

  s.test('COMMAND INFO, DOCS and GETKEYS', async (d) => {
    const names = [
      'geoadd',
      'geodist',
      'geohash',
      'geopos',
      'georadius',
      'georadius_ro',
      'georadiusbymember',
      'georadiusbymember_ro',
      'geosearch',
      'geosearchstore',
    ];
    for (const name of names) await d.same('COMMAND', 'INFO', name);
    await d.same('COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '1', '1', '1', 'km', 'STORE', 'a', 'STOREDIST', 'b');
    await d.same('COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '1', '1', '1', 'km');
    await d.same('COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'k', 'm', '1', 'km', 'STORE', 'a');
    await d.same('COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'd', 's', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km');
    await d.same('COMMAND', 'GETKEYSANDFLAGS', 'GEORADIUS', 'k', '1', '1', '1', 'km', 'STORE', 'a');
    await d.same(
      'COMMAND',
      'GETKEYSANDFLAGS',
      'GEOSEARCHSTORE',
      'd',
      's',
      'FROMMEMBER',
      'm',
      'BYRADIUS',
      '1',
      'km',
    );
  });
});

differential(
  'geo keyspace events',
  (s) => {
    s.test('keyspace notifications', async (d) => {
      const listener = await d.pair();
      await listener.same('PSUBSCRIBE', '__key*__:*');
      const next = async (n: number) => {
        for (let i = 0; i < n; i++) await listener.sameNext();
      };
      await d.same('GEOADD', 'g', ...SICILY);
      await next(2);
      await d.same('GEOADD', 'g', ...SICILY);
      await d.same('GEOADD', 'g', 'XX', '1', '1', 'none');
      await d.same('GEOADD', 'g', 'CH', '1', '1', 'Palermo');
      await next(2);
      await d.same('GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Catania', 'BYRADIUS', '10', 'km');
      await next(2);
      await d.same('GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd2');
      await next(2);
      await d.same('GEORADIUSBYMEMBER', 'g', 'Catania', '10', 'km', 'STOREDIST', 'd2');
      await next(2);
      await d.same('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '10', 'km');
      await next(2);
      await d.same('GEOSEARCHSTORE', 'd2', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '10', 'km');
      await next(2);
      await d.same('GEORADIUS', 'nokey', '0', '0', '10', 'km', 'STORE', 'd2');
      await d.same('GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '10', 'km');
      await d.same('SET', 'marker', '1');
      await next(2);
      listener.close();
    });
  },
  {
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
    redisArgs: ['--notify-keyspace-events', 'KEA'],
  },
);
