/**
 * Where a process spent its time, read from a V8 CPU profile (`node --cpu-prof`): self time
 * per function and per file, busiest first. Used by bench/fs `--profile`, and on its own:
 *
 *   node bench/fs/cpu-profile.ts FILE.cpuprofile [--top N]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Idle time (the event loop waiting), not counted in the shares below. */
  idleMs: number;
  functions: TimeShare[];
  files: TimeShare[];
}

/** Self time by function and by file, busiest first; idle time apart. */
export async function summarizeProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // A sample's time is the delta to the next one.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = frame.url === '' ? '' : shortUrl(frame.url);
    const name = `${frame.functionName || '(anonymous)'}${where === '' ? '' : ` ${where}:${frame.lineNumber + 1}`}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const fileName = where === '' ? frame.functionName : where;
    files.set(fileName, (files.get(fileName) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: rank(functions), files: rank(files) };
}

/** A URL as a short, machine-independent name: node:internal modules as they are, files from their package or folder. */
function shortUrl(url: string): string {
  if (url.startsWith('node:')) return url;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = file.lastIndexOf(`node_modules${path.sep}`);
  if (inModules >= 0) return file.slice(inModules + 'node_modules/'.length);
  return file.split(path.sep).slice(-2).join('/');
}

/** The summary as lines of text. */
export function formatSummary(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `busy ${(summary.totalMs - summary.idleMs).toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms profiled`,
    'self time by file:',
    ...summary.files.map((f) => `  ${pct(f.share)}  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`),
    'self time by function:',
    ...summary.functions.map((f) => `  ${pct(f.share)}  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`),
  ].join('\n');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2);
  if (file === undefined) {
    console.error('Usage: node bench/fs/cpu-profile.ts FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const at = rest.indexOf('--top');
  console.log(formatSummary(await summarizeProfile(file, at < 0 ? 15 : Number(rest[at + 1]))));
}
