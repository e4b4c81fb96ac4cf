/**
 * The "after" chain around a job as boxes and arrows: the jobs it waits for on the left,
 * the job in the middle, and the loaded jobs that wait for it on the right. A box opens
 * its job's page.
 */
import { useMemo } from 'react';
import type { Job } from '../../../protocol/jobs-api.ts';
import { useAppState } from '../../store/app-store.ts';
import { jobsWaitingFor } from '../../store/jobs-list.ts';
import { jobStateLooks } from './job-state-look.ts';

const BOX_W = 150;
const BOX_H = 38;
const GAP_X = 56;
const GAP_Y = 10;

interface Box {
  jobId: string;
  job: Job | undefined;
  x: number;
  y: number;
}

function column(ids: readonly string[], jobs: Readonly<Record<string, Job>>, x: number, height: number): Box[] {
  const top = (height - (ids.length * BOX_H + (ids.length - 1) * GAP_Y)) / 2;
  return ids.map((jobId, i) => ({ jobId, job: jobs[jobId], x, y: top + i * (BOX_H + GAP_Y) }));
}

export function AfterGraph({ job, onOpen }: { job: Job; onOpen(jobId: string): void }) {
  const jobs = useAppState((s) => s.jobs);
  const waiting = useMemo(() => jobsWaitingFor(jobs, job.jobId).map((j) => j.jobId), [jobs, job.jobId]);
  if (job.after.length === 0 && waiting.length === 0) return null;

  const rows = Math.max(job.after.length, waiting.length, 1);
  const height = rows * BOX_H + (rows - 1) * GAP_Y;
  const columns = [job.after.length > 0, true, waiting.length > 0];
  const xs: number[] = [];
  let x = 0;
  for (const shown of columns) {
    xs.push(x);
    if (shown) x += BOX_W + GAP_X;
  }
  const width = x - GAP_X;
  const before = column(job.after, jobs, xs[0]!, height);
  const [self] = column([job.jobId], { [job.jobId]: job }, xs[1]!, height);
  const after = column(waiting, jobs, xs[2]!, height);
  const arrow = (from: Box, to: Box, key: string) => (
    <line key={key} x1={from.x + BOX_W} y1={from.y + BOX_H / 2} x2={to.x - 4} y2={to.y + BOX_H / 2} className="after-arrow" markerEnd="url(#after-arrow-head)" />
  );
  const box = (b: Box, current: boolean) => {
    const look = b.job === undefined ? null : jobStateLooks[b.job.state];
    const label = b.job === undefined ? `${b.jobId} (not loaded)` : `${b.job.spec.name} ${b.jobId}, ${look!.word}`;
    return (
      <g
        key={b.jobId}
        className={current ? 'after-box after-box-current' : 'after-box'}
        data-tone={look?.tone ?? 'neutral'}
        transform={`translate(${b.x},${b.y})`}
        role={current ? undefined : 'button'}
        tabIndex={current ? undefined : 0}
        aria-label={current ? label : `Open ${label}`}
        onClick={current ? undefined : () => onOpen(b.jobId)}
        onKeyDown={current ? undefined : (e) => e.key === 'Enter' && onOpen(b.jobId)}
        data-testid="after-box"
        data-job-id={b.jobId}
      >
        <rect width={BOX_W} height={BOX_H} rx={4} />
        <text x={8} y={15} className="after-name">
          {(b.job?.spec.name ?? b.jobId).slice(0, 20)}
        </text>
        <text x={8} y={30} className="after-meta">
          {b.jobId} · {look?.word ?? 'not loaded'}
        </text>
      </g>
    );
  };

  return (
    <svg className="after-graph" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="group" aria-label="Jobs it waits for and jobs waiting for it" data-testid="after-graph">
      <defs>
        <marker id="after-arrow-head" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto">
          <path d="M0,0 L8,4 L0,8 z" className="after-arrow-head" />
        </marker>
      </defs>
      {before.map((b) => arrow(b, self!, `in-${b.jobId}`))}
      {after.map((b) => arrow(self!, b, `out-${b.jobId}`))}
      {before.map((b) => box(b, false))}
      {box(self!, true)}
      {after.map((b) => box(b, false))}
    </svg>
  );
}
