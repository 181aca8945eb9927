import t from 'tap';
import { isoTime } from './iso-time.js';

t.test('isoTime writes what toISOString writes', async (t) => {
  const times = [0, 1, 999, 86_399_999, 951_782_400_000, 1_796_489_335_328, 253_402_300_799_999, -62_135_596_800_000];
  for (let i = 0; i < 200; i++) times.push(Math.floor(Math.random() * 253_402_300_799_999));
  for (const ms of times) {
    const d = new Date(ms);
    t.equal(isoTime(d), d.toISOString(), String(ms));
  }
  t.equal(isoTime(new Date(253_402_300_800_000)), '+010000-01-01T00:00:00.000Z', 'past 9999: toISOString');
  t.equal(isoTime(new Date(-62_167_219_200_001)), '-000001-12-31T23:59:59.999Z', 'before year 0: toISOString');
  t.equal(isoTime(new Date(-62_167_219_200_000)), '0000-01-01T00:00:00.000Z', 'year 0');
  t.throws(() => isoTime(new Date(NaN)), RangeError, 'an invalid date throws as toISOString does');
});
