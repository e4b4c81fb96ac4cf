import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatBytesOf, mibToBytes } from './bytes.ts';
import { formatCores, formatPercent, formatPower, formatTemperature, percentOf } from './percent.ts';
import { formatExactTime, formatRelativeTime } from './time.ts';

const GiB = 1024 ** 3;

describe('formatBytes', () => {
  it('uses binary units with one decimal below 100', () => {
    assert.equal(formatBytes(23.4 * GiB), '23.4 GiB');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536 * 1024 * 1024), '1.5 GiB');
  });
  it('drops decimals from 100 up and keeps bytes whole', () => {
    assert.equal(formatBytes(512 * GiB), '512 GiB');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(0), '0 B');
  });
  it('moves to the next unit instead of printing 1024', () => {
    assert.equal(formatBytes(1023.99 * GiB), '1.0 TiB');
  });
  it('says nothing it does not know', () => {
    assert.equal(formatBytes(Number.NaN), '—');
    assert.equal(formatBytes(-1), '—');
    assert.equal(formatBytes(null), '—');
  });
});

describe('formatBytesOf', () => {
  it('puts both sides in the unit of the total', () => {
    assert.equal(formatBytesOf(mibToBytes(12_595), mibToBytes(81_920)), '12.3 / 80.0 GiB');
    assert.equal(formatBytesOf(512 * 1024 * 1024, 2 * GiB), '0.5 / 2.0 GiB');
  });
  it('refuses a zero total', () => {
    assert.equal(formatBytesOf(1, 0), '—');
  });
});

describe('percentages and small units', () => {
  it('rounds to whole percent but keeps a trace of near-idle', () => {
    assert.equal(formatPercent(42.4), '42%');
    assert.equal(formatPercent(0.42), '0.4%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(140), '100%');
    assert.equal(formatPercent(null), '—');
  });
  it('computes shares only of a known whole', () => {
    assert.equal(percentOf(1, 4), 25);
    assert.equal(percentOf(1, 0), null);
    assert.equal(percentOf(5, 4), 100);
  });
  it('writes temperature, power and cores with units', () => {
    assert.equal(formatTemperature(63.6), '64 °C');
    assert.equal(formatPower(231.2), '231 W');
    assert.equal(formatPower(null), '—');
    assert.equal(formatCores(1), '1 core');
    assert.equal(formatCores(8), '8 cores');
  });
});

describe('formatRelativeTime', () => {
  const now = 1_700_000_000_000;
  it('says just now for clock drift', () => {
    assert.equal(formatRelativeTime(now - 3_000, now), 'just now');
    assert.equal(formatRelativeTime(now + 3_000, now), 'just now');
  });
  it('picks the largest whole unit', () => {
    assert.equal(formatRelativeTime(now - 12_000, now), '12 s ago');
    assert.equal(formatRelativeTime(now - 3 * 60_000 - 5_000, now), '3 min ago');
    assert.equal(formatRelativeTime(now - 5 * 3_600_000, now), '5 h ago');
    assert.equal(formatRelativeTime(now - 2 * 86_400_000, now), '2 d ago');
  });
  it('handles the future and the missing', () => {
    assert.equal(formatRelativeTime(now + 3 * 60_000, now), 'in 3 min');
    assert.equal(formatRelativeTime(0, now), 'never');
  });
  it('gives the exact local time for hovers', () => {
    assert.match(formatExactTime(now), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
