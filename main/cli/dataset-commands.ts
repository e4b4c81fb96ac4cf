/**
 * `hopsdesk dataset ls|stat|mkdir|put|get|rm|mv`: the cluster filesystem from the command
 * line, paths as `/Projects/<project>/<dataset>/…`, progress on a terminal for put and get.
 */
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import type { FileStat, ListPage, RemoveReply } from '../../protocol/fs.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatBytes, formatTable } from './format.ts';
import { ask, canAsk } from './prompt.ts';
import type { Values } from './setup-commands.ts';

const usage = {
  ls: 'hopsdesk dataset ls PATH',
  stat: 'hopsdesk dataset stat PATH',
  mkdir: 'hopsdesk dataset mkdir PATH [--parents]',
  put: 'hopsdesk dataset put LOCAL… PATH [--overwrite]',
  get: 'hopsdesk dataset get PATH LOCAL [--overwrite]',
  rm: 'hopsdesk dataset rm PATH [--recursive] [--yes]',
  mv: 'hopsdesk dataset mv FROM TO',
} as const;

export async function datasetCommand(core: Core, action: string, operands: string[], values: Values): Promise<CommandOutput> {
  const cluster = typeof values.cluster === 'string' ? { cluster: values.cluster } : {};
  const count = (n: number, atLeast = false) => {
    if (atLeast ? operands.length < n : operands.length !== n) {
      throw new HopsError('VALIDATION', `Usage: ${usage[action as keyof typeof usage] ?? 'hopsdesk --help'}`, { field: 'PATH' });
    }
  };
  switch (action) {
    case 'ls': {
      count(1);
      const entries: FileStat[] = [];
      let cursor: string | undefined;
      do {
        const page = (await core.dispatch('dataset.list', { ...cluster, path: operands[0], ...(cursor === undefined ? {} : { cursor }) })) as ListPage;
        entries.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const rows = entries.map((e) => [e.type === 'dir' ? `${e.name}/` : e.name, e.type === 'dir' ? '-' : formatBytes(e.size), e.type === 'dir' ? '-' : String(e.replication), new Date(e.mtimeMs).toISOString().slice(0, 16).replace('T', ' '), e.createdBy]);
      return { json: { entries }, text: entries.length === 0 ? '(empty)' : formatTable(['NAME', 'SIZE', 'REPLICAS', 'MODIFIED (UTC)', 'BY'], rows, new Set([1])) };
    }
    case 'stat': {
      count(1);
      const stat = (await core.dispatch('dataset.stat', { ...cluster, path: operands[0] })) as FileStat;
      return { json: stat, text: Object.entries(stat).map(([k, v]) => `${k.padEnd(12)} ${String(v)}`).join('\n') };
    }
    case 'mkdir': {
      count(1);
      const stat = (await core.dispatch('dataset.mkdir', { ...cluster, path: operands[0], ...(values.parents === true ? { parents: true } : {}) })) as FileStat;
      return { json: stat, text: `Created ${stat.path}` };
    }
    case 'put': {
      count(2, true);
      const target = operands.at(-1)!;
      const locals = operands.slice(0, -1);
      // Several files, or a target that is a directory: each goes in under its own name.
      const intoDir = locals.length > 1 || (await isDir(core, cluster, target));
      const done: FileStat[] = [];
      for (const local of locals) {
        const where = intoDir ? `${target}/${path.basename(local)}` : target;
        done.push((await core.dispatch('dataset.put', { ...cluster, localFile: local, path: where, ...(values.overwrite === true ? { overwrite: true } : {}) })) as FileStat);
      }
      return { json: { files: done }, text: done.map((f) => `${f.path}  ${formatBytes(f.size)}, ${f.replication} replicas`).join('\n') };
    }
    case 'get': {
      count(2);
      const [from, to] = operands as [string, string];
      const result = (await core.dispatch('dataset.get', { ...cluster, path: from, localFile: to, ...(values.overwrite === true ? { overwrite: true } : {}) })) as { localFile: string; bytes: number };
      return { json: result, text: `${result.localFile}  ${formatBytes(result.bytes)}` };
    }
    case 'rm': {
      count(1);
      if (values.recursive === true && values.yes !== true) {
        if (!canAsk()) throw new HopsError('VALIDATION', `This removes ${operands[0]} and everything in it. Add --yes to confirm.`, { field: '--yes' });
        if ((await ask(`Remove ${operands[0]} and everything in it? Type "yes": `)) !== 'yes') {
          throw new HopsError('VALIDATION', 'Not confirmed; nothing was removed.', { field: '--yes' });
        }
      }
      const reply = (await core.dispatch('dataset.remove', { ...cluster, path: operands[0], ...(values.recursive === true ? { recursive: true } : {}) })) as RemoveReply;
      return { json: reply, text: `Removed ${reply.path} (${reply.files} files, ${reply.dirs} directories)` };
    }
    case 'mv': {
      count(2);
      const stat = (await core.dispatch('dataset.move', { ...cluster, from: operands[0], to: operands[1] })) as FileStat;
      return { json: stat, text: `Moved to ${stat.path}` };
    }
    default:
      throw new HopsError('VALIDATION', `Unknown command "dataset ${action}".`, { hint: 'Run `hopsdesk --help` for usage.' });
  }
}

async function isDir(core: Core, cluster: { cluster?: string }, where: string): Promise<boolean> {
  try {
    return ((await core.dispatch('dataset.stat', { ...cluster, path: where })) as FileStat).type === 'dir';
  } catch (err) {
    if (err instanceof HopsError && (err.code === 'NOT_FOUND' || err.status === 404)) return false;
    throw err;
  }
}

/** A progress line on a terminal, rewritten in place: bytes, percent and rate. */
export function transferProgressLine(direction: 'upload' | 'download', where: string, done: number, total: number | null, startedMs: number): string {
  const seconds = Math.max((Date.now() - startedMs) / 1000, 0.001);
  const percent = total ? ` ${Math.floor((100 * done) / Math.max(total, 1))}%` : '';
  const arrow = direction === 'upload' ? '↑' : '↓';
  return `${arrow} ${where}${percent}  ${formatBytes(done)}${total === null ? '' : ` of ${formatBytes(total)}`}  ${formatBytes(done / seconds)}/s`;
}
