/** `hopsdesk host doctor USER@HOST`: whether a host can run the agent, with the fixes. */
import type { DoctorReport } from '../../protocol/cluster-setup.ts';
import type { ParamsOf } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatTable } from './format.ts';
import { accessFrom, type Values } from './setup-commands.ts';

const statusWord = { ok: 'ok', warn: 'warn', fail: 'FAIL' } as const;

/** Runs the doctor; the exit code says whether the host is ready. */
export async function hostDoctor(core: Core, params: ParamsOf<'host.doctor'>): Promise<CommandOutput & { ready: boolean }> {
  const report = (await core.dispatch('host.doctor', params)) as DoctorReport;
  const rows = report.checks.map((c) => [statusWord[c.status], c.title, c.detail]);
  const fixes = report.checks.filter((c) => c.fix && c.status !== 'ok').map((c) => `  ${c.title}: ${c.fix}`);
  const verdict = report.ready ? 'ready for the agent' : 'not ready: fix the FAIL lines first';
  const text = [`${report.target} — ${verdict}`, '', formatTable(['', 'CHECK', 'FOUND'], rows), ...(fixes.length ? ['', 'What to do:', ...fixes] : [])].join('\n');
  return { json: report, text, ready: report.ready };
}

/** Builds the doctor's params from the command line. */
export async function doctorParams(target: string | undefined, values: Values): Promise<ParamsOf<'host.doctor'>> {
  if (target === undefined) {
    throw new HopsError('VALIDATION', 'host doctor needs a host: hopsdesk host doctor USER@HOST[:PORT].', { field: 'USER@HOST' });
  }
  return { target, ...(await accessFrom(values)) };
}
