/**
 * `hopsdesk fs fsck [PATH]`: the cluster filesystem's health, printed like `hdfs fsck`'s
 * summary (or the whole report with --json). Exits 0 when healthy or only
 * under-replicated (the head is copying), 1 when a block is missing or corrupt.
 */
import { HopsError } from '../../protocol/errors.ts';
import type { FsckBlock, FsckReport } from '../../protocol/fsck.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatBytes } from './format.ts';
import type { Values } from './setup-commands.ts';

/** Blocks printed per kind of problem; --json has the head's whole (capped) lists. */
const shownPerKind = 20;

/** Runs `fs ACTION`; returns the output and the exit code. */
export async function fsCommand(core: Core, action: string, operands: string[], values: Values): Promise<CommandOutput & { exitCode: number }> {
  if (action !== 'fsck') throw new HopsError('VALIDATION', `Unknown command "fs ${action}".`, { hint: 'Run `hopsdesk --help` for usage.' });
  if (operands.length > 1) throw new HopsError('VALIDATION', 'Usage: hopsdesk fs fsck [PATH] [--json]', { field: 'PATH' });
  const params = { ...(typeof values.cluster === 'string' ? { cluster: values.cluster } : {}), ...(operands[0] === undefined ? {} : { path: operands[0] }) };
  const report = (await core.dispatch('fs.fsck', params)) as FsckReport;
  return { json: report, text: fsckText(report), exitCode: report.missing.count + report.corrupt.count > 0 ? 1 : 0 };
}

/** The report as `hdfs fsck` words its summary. */
export function fsckText(report: FsckReport): string {
  const lines: string[] = [];
  const problem = (title: string, list: FsckReport['missing']) => {
    for (const block of list.blocks.slice(0, shownPerKind)) lines.push(`${block.path}: ${title} block ${block.index} (${block.blockId}, ${formatBytes(block.size)}) ${replicaText(block)}`);
    if (list.count > shownPerKind) lines.push(`… and ${list.count - shownPerKind} more ${title} blocks (--json lists up to ${list.blocks.length})`);
  };
  problem('MISSING', report.missing);
  problem('CORRUPT', report.corrupt);
  problem('UNDER-REPLICATED', report.underReplicated);
  if (lines.length > 0) lines.push('');
  const { totals, safeMode, workers } = report;
  lines.push(
    `Status: ${report.verdict}`,
    ` Path:\t\t\t${report.path}`,
    ` Total size:\t\t${totals.bytes} B (${formatBytes(totals.bytes)})`,
    ` Total dirs:\t\t${totals.dirs}`,
    ` Total files:\t\t${totals.files}`,
    ` Total blocks:\t\t${totals.blocks}`,
    ` Under-replicated blocks:\t${report.underReplicated.count}`,
    ` Missing blocks:\t\t${report.missing.count}`,
    ` Corrupt blocks:\t\t${report.corrupt.count}`,
    ` Live workers:\t\t${workers.live} of ${workers.total} (${workers.dead} dead)`,
    ` Safe mode:\t\t${safeMode.on ? `ON — ${safeMode.reason}` : 'off'}`,
    '',
    `The filesystem under '${report.path}' is ${report.verdict}`,
  );
  return lines.join('\n');
}

function replicaText(block: FsckBlock): string {
  const replicas = block.replicas.map((r) => `${r.hostId}:${r.state}${r.hostState === 'healthy' ? '' : `(${r.hostState})`}`);
  return `live ${block.live} of ${block.replication} [${replicas.join(', ') || 'no replica'}]`;
}
