import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeScore,
  estimateStepsByRadius,
  GEO_LAT_MAX,
  geoDistance,
  geohashString,
  geoScore,
  searchCells,
} from './geohash.js';

describe('geohash', () => {
  it('encodes points to the 52-bit scores Redis stores', () => {
    // Values read from redis-server 7.0 (ZSCORE after GEOADD).
    assert.equal(geoScore(13.361389, 38.115556), 3479099956230698);
    assert.equal(geoScore(15.087269, 37.502669), 3479447370796909);
    assert.equal(geoScore(-180, -85.05112878), 0);
    assert.equal(geoScore(181, 0), null);
    assert.equal(geoScore(0, GEO_LAT_MAX + 1e-9), null);
  });

  it('decodes a score to the centre of its cell', () => {
    const [lon, lat] = decodeScore(3479099956230698);
    assert.equal(lon, 13.361389338970184);
    assert.equal(lat, 38.1155563954963);
    // Scores no GEOADD writes still decode, clamped to the limits.
    assert.deepEqual(decodeScore(-1), [180, GEO_LAT_MAX]);
    assert.deepEqual(decodeScore(2 ** 52), [-179.99999731779099, GEO_LAT_MAX]);
  });

  it('round-trips within half a cell', () => {
    for (let i = 0; i < 1000; i++) {
      const lon = Math.random() * 360 - 180;
      const lat = Math.random() * 170 - 85;
      const [dlon, dlat] = decodeScore(geoScore(lon, lat)!);
      assert.ok(Math.abs(dlon - lon) < 360 / 2 ** 26);
      assert.ok(Math.abs(dlat - lat) < 171 / 2 ** 26);
    }
  });

  it('prints standard geohash strings', () => {
    assert.equal(geohashString(3479099956230698), 'sqc8b49rny0');
    assert.equal(geohashString(3479447370796909), 'sqdtr74hyu0');
  });

  it('measures haversine distances and search steps', () => {
    const [lon1, lat1] = decodeScore(3479099956230698);
    const [lon2, lat2] = decodeScore(3479447370796909);
    assert.equal(geoDistance(lon1, lat1, lon2, lat2).toFixed(4), '166274.1516');
    assert.equal(estimateStepsByRadius(0, 0), 26);
    assert.equal(estimateStepsByRadius(Infinity, 0), 1);
    assert.equal(estimateStepsByRadius(1000, 0), 14);
    assert.equal(estimateStepsByRadius(1000, 70), 13);
    assert.equal(estimateStepsByRadius(1000, 85), 12);
  });

  it('lists the centre cell and its eight neighbours', () => {
    const shape = { lon: 15, lat: 37, conversion: 1000, box: false, radius: 200, width: 0, height: 0 };
    const cells = searchCells(shape);
    assert.equal(cells.length, 9);
    assert.ok(cells[0]);
    for (const cell of cells) if (cell) assert.equal(cell.step, cells[0]!.step);
  });
});
