/**
 * `hopsdesk job …` end to end: a real agent (head and worker) built from this checkout and
 * started by a desktop core, the CLI as a user runs it (its own process, exit code, stdout,
 * stderr), the job run as a real process by the worker.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { EventName, EventPayload } from '../../protocol/desktop-api.ts';
import type { Job } from '../../protocol/jobs-api.ts';
import { productVersion } from '../../protocol/version.ts';
import { runHopsdesk } from '../../e2e/fixtures/cli.ts';
import { createCore } from '../core/create-core.ts';
import type { Core } from '../core/core.ts';
import { buildAgentVersion } from '../testing/agent-bundle.ts';

let dir: string;
let workspace: string;
let core: Core;

/** The CLI on the test's workspace; it reuses the agent the test's core started. */
const hopsdesk = (...args: string[]) => runHopsdesk([...args, '--workspace', workspace]);
/** The same with the command after `--` (global flags must come before it). */
const submit = (flags: string[], command: string[]) => runHopsdesk(['job', 'submit', '--workspace', workspace, ...flags, '--', ...command]);

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-jobs-'));
  workspace = path.join(dir, 'workspace');
  // The agent as this checkout builds it now (dist/ may hold an older build).
  const agentBundlePath = path.join(dir, 'agent.mjs');
  await buildAgentVersion(productVersion, agentBundlePath);
  core = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: true, agentBundlePath, log: () => undefined });
  await core.start();
  await core.dispatch('project.create', { name: 'demo' });
});

after(async () => {
  await core?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('submit --wait streams the output and exits with the job’s exit code; logs reads it back', async () => {
  const waited = await submit(['--project', 'demo', '--wait'], ['sh', '-c', 'echo hi; echo oops >&2; exit 3']);
  assert.equal(waited.code, 3, waited.stderr);
  assert.equal(waited.stdout, 'hi\n');
  const jobId = /^(j-\d+) submitted$/m.exec(waited.stderr)?.[1];
  assert.ok(jobId, waited.stderr);
  assert.match(waited.stderr, /^oops$/m);
  assert.match(waited.stderr, new RegExp(`^${jobId} failed \\(exit 3\\)`, 'm'));

  const logs = await hopsdesk('job', 'logs', jobId);
  assert.equal(logs.code, 0, logs.stderr);
  assert.equal(logs.stdout, 'hi\n');
  const errors = await hopsdesk('job', 'logs', jobId, '--stderr');
  assert.equal(errors.stdout, 'oops\n');

  const status = await hopsdesk('job', 'status', jobId, '--json');
  const job = JSON.parse(status.stdout) as Job;
  assert.deepEqual([job.state, job.endReason, job.exitCode, job.spec.name, job.spec.args], ['failed', 'exited', 3, 'sh', ['-c', 'echo hi; echo oops >&2; exit 3']]);
  const list = await hopsdesk('job', 'list', '--project', 'demo');
  assert.match(list.stdout, new RegExp(`^${jobId}\\s+sh\\s+demo\\s+failed\\s+-\\s+\\S+.*exit 3$`, 'm'));
});

test('arguments reach the job verbatim: no shell between the CLI and the process', async () => {
  const words = ['$HOME', '*', 'a;b', '`id`', "it's", '"q"', '--json', ''];
  const waited = await submit(['--project', 'demo', '--wait', '--json'], ['printf', '%s|', ...words]);
  assert.equal(waited.code, 0, waited.stderr);
  const job = JSON.parse(waited.stdout) as Job;
  assert.equal(job.state, 'succeeded');
  const logs = await hopsdesk('job', 'logs', job.jobId);
  assert.equal(logs.stdout, `${words.join('|')}|`);
});

test('the core streams a job’s log as batched job.log events, then job.logEnd; job.changed follows its states', async () => {
  const seen: Array<{ event: EventName; payload: unknown }> = [];
  const unsubscribe = core.subscribe((event, payload) => seen.push({ event, payload }));
  try {
    const job = (await core.dispatch('job.submit', { spec: { name: 'count', project: 'demo', command: 'seq', args: ['1', '3000'] } })) as Job;
    const { followId } = (await core.dispatch('job.follow', { jobId: job.jobId })) as { followId: string };
    const end = await until(() => seen.find((e) => e.event === 'job.logEnd' && (e.payload as EventPayload<'job.logEnd'>).followId === followId));
    assert.equal((end.payload as EventPayload<'job.logEnd'>).job?.state, 'succeeded');
    const batches = seen.filter((e) => e.event === 'job.log' && (e.payload as EventPayload<'job.log'>).followId === followId).map((e) => e.payload as EventPayload<'job.log'>);
    const lines = batches.flatMap((b) => b.lines);
    assert.deepEqual(lines, Array.from({ length: 3000 }, (_, i) => String(i + 1)));
    assert.ok(batches.length < 30, `3000 lines came in ${batches.length} events`);
    await until(() => seen.find((e) => e.event === 'job.changed' && (e.payload as EventPayload<'job.changed'>).job.jobId === job.jobId && (e.payload as EventPayload<'job.changed'>).job.state === 'succeeded'));
    assert.equal((seen.find((e) => e.event === 'job.changed')!.payload as EventPayload<'job.changed'>).cluster, 'local');
  } finally {
    unsubscribe();
  }
});

test('refusals: a job that can never fit, an unknown job, a bad flag — each on stderr with its next step', async () => {
  const never = await submit(['--project', 'demo', '--gpus-per-host', '64', '--hosts', '1'], ['true']);
  assert.equal(never.code, 1);
  assert.equal(never.stdout, '');
  assert.match(never.stderr, /GPU/);
  const unknown = await hopsdesk('job', 'status', 'j-99999');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /j-99999/);
  const bad = await submit(['--project', 'demo', '--memory', 'lots', '--json'], ['true']);
  assert.equal(bad.code, 2);
  assert.equal((JSON.parse(bad.stderr) as { error: { field: string } }).error.field, '--memory');
});

/** Waits (bounded) for `find` to return something; event-driven tests still need a deadline. */
async function until<T>(find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
