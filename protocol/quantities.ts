/**
 * Sizes ("16GiB", "512M") and durations ("2h", "1h30m") as people type them in CLI flags and
 * job files, turned into bytes and milliseconds — and back, for messages.
 *
 * Sizes: `K`, `M`, `G`, `T`, `P` alone or with `i`/`iB` are powers of 1024 (as Slurm's
 * `--mem` and Docker's `--memory` read them, so `512M` is what a researcher means by it);
 * `KB`, `MB`, `GB`, `TB`, `PB` are powers of 1000; a bare number or `B` is bytes. Letters
 * are read case-insensitively. Durations: `ms`, `s`, `m`, `h`, `d`, combinable (`1h30m`);
 * a bare number is refused, because seconds and minutes are both plausible readings.
 */
import { HopsError } from './errors.ts';

const KiB = 1024;
const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  k: KiB,
  ki: KiB,
  kib: KiB,
  kb: 1000,
  m: KiB ** 2,
  mi: KiB ** 2,
  mib: KiB ** 2,
  mb: 1000 ** 2,
  g: KiB ** 3,
  gi: KiB ** 3,
  gib: KiB ** 3,
  gb: 1000 ** 3,
  t: KiB ** 4,
  ti: KiB ** 4,
  tib: KiB ** 4,
  tb: 1000 ** 4,
  p: KiB ** 5,
  pi: KiB ** 5,
  pib: KiB ** 5,
  pb: 1000 ** 5,
};

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Longest text either parser reads; anything longer is a mistake, not a quantity. */
const maxQuantityText = 64;

const sizeHint = 'Write a size as a number and a unit, e.g. 512M, 16GiB or 2TB (K, M, G, T alone or with iB are powers of 1024; KB, MB, GB, TB of 1000).';
const durationHint = 'Write a duration as a number and a unit, e.g. 90s, 30m, 2h, 1d or 1h30m.';

function shown(text: string): string {
  return JSON.stringify(text.length > maxQuantityText ? `${text.slice(0, maxQuantityText)}…` : text);
}

/**
 * Bytes in a size such as "16GiB", "512M" or "2TB". Throws a 400 `VALIDATION` naming the
 * text and `field` (a JSON pointer, or a flag such as `--memory`) when it is not one.
 */
export function parseSize(text: string, field = '/size'): number {
  const fail = (why: string) => new HopsError('VALIDATION', `Invalid size ${shown(text)}: ${why}.`, { hint: sizeHint, field });
  const match = text.length <= maxQuantityText ? /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text) : null;
  if (match === null) throw fail('expected a number and a unit');
  const unit = sizeUnits[match[2]!.toLowerCase()];
  if (unit === undefined) throw fail(`"${match[2]}" is not a unit of size`);
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) {
    throw fail(Number.isInteger(bytes) || bytes > Number.MAX_SAFE_INTEGER ? 'it is too large' : 'it is not a whole number of bytes');
  }
  return bytes;
}

/**
 * Milliseconds in a duration such as "2h", "30m" or "1h30m". Throws a 400 `VALIDATION`
 * naming the text and `field` when it is not one.
 */
export function parseDuration(text: string, field = '/duration'): number {
  const fail = (why: string) => new HopsError('VALIDATION', `Invalid duration ${shown(text)}: ${why}.`, { hint: durationHint, field });
  const trimmed = text.trim();
  if (trimmed.length === 0 || text.length > maxQuantityText) throw fail('expected a number and a unit');
  if (/^\d+(\.\d+)?$/.test(trimmed)) throw fail('it has no unit');
  let ms = 0;
  let rest = trimmed;
  while (rest.length > 0) {
    const part = /^(\d+(?:\.\d+)?)\s*([a-z]+)\s*/i.exec(rest);
    if (part === null) throw fail('expected a number and a unit');
    const unit = durationUnits[part[2]!.toLowerCase()];
    if (unit === undefined) throw fail(`"${part[2]}" is not a unit of time`);
    ms += Number(part[1]) * unit;
    rest = rest.slice(part[0].length);
  }
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded)) throw fail('it is too long');
  return rounded;
}

/** Bytes as a message shows them: "64 GiB", "1.5 TiB", "512 B". */
export function formatSize(bytes: number): string {
  const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let step = 0;
  while (value >= KiB && step < names.length - 1) {
    value /= KiB;
    step += 1;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${rounded} ${names[step]}`;
}

/** Milliseconds as a message shows them: "2h", "1h 30m", "45s", "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / seconds);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * seconds;
  }
  return parts.join(' ');
}
