/**
 * Provisioning progress on the terminal: one line per host whenever its phase changes,
 * and upload progress in quarter steps, so a log stays readable when piped.
 */
import type { ProvisionProgress } from '../../protocol/cluster-setup.ts';

export function progressPrinter(write: (line: string) => void): (progress: ProvisionProgress) => void {
  const last = new Map<string, string>();
  return (p) => {
    const who = p.hostId ?? p.target;
    const quarter =
      p.phase === 'uploading' && p.bytesTotal ? Math.floor((4 * (p.bytesDone ?? 0)) / p.bytesTotal) * 25 : undefined;
    const key = `${p.phase}|${p.detail}|${quarter ?? ''}`;
    if (last.get(who) === key) return;
    last.set(who, key);
    const percent = quarter === undefined ? '' : ` ${quarter}%`;
    const failing = p.phase === 'failed' && p.error ? ` — ${p.error.hint}` : '';
    write(`${who.padEnd(16)} ${p.phase.padEnd(10)} ${p.detail}${percent}${failing}`);
  };
}
