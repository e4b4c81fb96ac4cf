/**
 * GPU discovery through `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`: a pure
 * parser for its output and a runner that spawns it with a timeout and turns every way
 * it can fail into a note a person can act on.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import type { Gpu, GpuSample } from '../../protocol/host.ts';

/** Fields the inventory asks for, in this order. */
export const inventoryGpuFields = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
] as const;

/** Fields each metrics sample asks for, in this order. */
export const sampleGpuFields = ['index', 'utilization.gpu', 'memory.used'] as const;

/** One output row: the requested field → its text, or null where the driver has no value. */
export type GpuRow = Record<string, string | null>;

/** What a query produced: the rows, and a note when something went wrong. */
export interface GpuQueryResult {
  rows: GpuRow[];
  note?: string;
  /** True when there is no such command at all (a host without the NVIDIA driver). */
  missing?: boolean;
}

/**
 * Parses csv,noheader,nounits output for `fields`. Values like `[N/A]`,
 * `[Not Supported]` or `[Unknown Error]` become null. Lines with the wrong number of
 * values (the driver prints `Unable to determine the device handle…` for a GPU that
 * fell off the bus) are skipped and reported in `skipped`.
 */
export function parseGpuCsv(output: string, fields: readonly string[]): { rows: GpuRow[]; skipped: string[] } {
  const rows: GpuRow[] = [];
  const skipped: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    // GPU names do not contain commas; values are separated by ", ".
    const values = line.split(',').map((value) => value.trim());
    if (values.length !== fields.length) {
      skipped.push(line.trim());
      continue;
    }
    const row: GpuRow = {};
    fields.forEach((field, i) => {
      const value = values[i] ?? '';
      row[field] = value === '' || /^\[.*\]$/.test(value) || value === 'N/A' ? null : value;
    });
    rows.push(row);
  }
  return { rows, skipped };
}

/** Turns inventory rows into `Gpu`s; rows without an index are dropped. */
export function toGpus(rows: readonly GpuRow[]): Gpu[] {
  const gpus: Gpu[] = [];
  for (const row of rows) {
    const index = toNumber(row['index']);
    if (index === null || !Number.isInteger(index) || index < 0) continue;
    gpus.push({
      index,
      uuid: row['uuid'] ?? '',
      name: row['name'] ?? 'unknown GPU',
      memoryTotalMiB: nonNegative(toNumber(row['memory.total'])),
      memoryUsedMiB: nonNegative(toNumber(row['memory.used'])),
      utilizationPct: toNumber(row['utilization.gpu']),
      temperatureC: toNumber(row['temperature.gpu']),
      powerW: toNumber(row['power.draw']),
    });
  }
  return gpus;
}

/** Turns sample rows into `GpuSample`s; rows without an index are dropped. */
export function toGpuSamples(rows: readonly GpuRow[]): GpuSample[] {
  const samples: GpuSample[] = [];
  for (const row of rows) {
    const index = toNumber(row['index']);
    if (index === null || !Number.isInteger(index) || index < 0) continue;
    samples.push({
      index,
      utilizationPct: toNumber(row['utilization.gpu']),
      memoryUsedMiB: nonNegative(toNumber(row['memory.used'])),
    });
  }
  return samples;
}

/** Runs `nvidia-smi` (a name on PATH or a path) for `fields`; never throws. */
export async function queryGpus(command: string, fields: readonly string[], timeoutMs = 5000): Promise<GpuQueryResult> {
  const args = [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const note = failureNote(command, err, `${stdout}\n${stderr}`, timeoutMs);
        resolve(err.code === 'ENOENT' ? { rows: [], note, missing: true } : { rows: [], note });
        return;
      }
      const { rows, skipped } = parseGpuCsv(stdout, fields);
      const note = skipped.length > 0 ? `nvidia-smi printed lines that are not GPUs: ${skipped.join(' | ')}` : undefined;
      resolve(note === undefined ? { rows } : { rows, note });
    });
  });
}

function failureNote(command: string, err: ExecFileException, output: string, timeoutMs: number): string {
  if (err.code === 'ENOENT') {
    return command.includes('/') ? `nvidia-smi not found at ${command}` : `${command} not found on PATH`;
  }
  if (err.code === 'EACCES') return `${command} is not executable`;
  if (err.killed) return `${command} did not answer within ${timeoutMs / 1000} s`;
  // nvidia-smi explains itself on stdout (e.g. "NVIDIA-SMI has failed because it couldn't
  // communicate with the NVIDIA driver…"); keep its first line.
  const said = output.split('\n').map((line) => line.trim()).find((line) => line !== '');
  const exit = typeof err.code === 'number' ? `exit ${err.code}` : err.signal ? `killed by ${err.signal}` : (err.code ?? 'error');
  return `${command} failed (${exit})${said === undefined ? '' : `: ${said}`}`;
}

function toNumber(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function nonNegative(value: number | null): number {
  return value === null || value < 0 ? 0 : value;
}
