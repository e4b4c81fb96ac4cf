/**
 * A `HopsApi` for tests: each method answers from a table the test fills in (or fails), every
 * call is recorded, and events can be emitted by hand.
 */
import type { EventName, EventPayload, HopsApi, MethodName } from '../../protocol/desktop-api.ts';
import { listMethods } from '../../protocol/desktop-api.ts';
import type { Job } from '../../protocol/jobs-api.ts';
import type { JobSpec } from '../../protocol/jobs.ts';

type Answer = (params: unknown) => unknown;

export interface FakeHops {
  api: HopsApi;
  calls: Array<{ method: MethodName; params: unknown }>;
  answer(method: MethodName, answer: Answer): void;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  listenerCount(): number;
}

export function fakeHops(): FakeHops {
  const answers = new Map<MethodName, Answer>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: FakeHops['calls'] = [];
  const api: Record<string, unknown> = {
    on(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const { name } of listMethods()) {
    const [ns, key] = name.split('.') as [string, string];
    const group = (api[ns] ??= {}) as Record<string, (params: unknown) => Promise<unknown>>;
    group[key] = async (params) => {
      calls.push({ method: name, params });
      const answer = answers.get(name);
      if (answer === undefined) throw Object.assign(new Error(`${name} has no answer in this test`), { code: 'INTERNAL', hint: 'test' });
      return answer(params);
    };
  }
  return {
    api: api as unknown as HopsApi,
    calls,
    answer: (method, answer) => answers.set(method, answer),
    emit: (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A job as the head reports it, for tests: `j-<n>` in project demo, pending unless told. */
export function fakeJob(jobId: string, overrides: Omit<Partial<Job>, 'spec'> & { spec?: Partial<JobSpec> } = {}): Job {
  const { spec, ...rest } = overrides;
  const submittedAtMs = rest.submittedAtMs ?? 1_000 * Number(jobId.slice(2));
  const state = rest.state ?? 'pending';
  return {
    jobId,
    spec: { name: `job-${jobId.slice(2)}`, project: 'demo', command: 'python', args: ['train.py'], ...spec },
    state,
    attempt: 1,
    submittedBy: 'ada',
    submittedAtMs,
    logDir: `/Projects/demo/Logs/${jobId}`,
    after: [],
    timeline: [{ atMs: submittedAtMs, state }],
    ...rest,
  };
}

/**
 * Answers the job methods from `jobs` like a head would (list newest first, get, stop,
 * retry), and records follows so a test can stream lines with `emit('job.log', …)`.
 */
export function answerJobs(fake: FakeHops, jobs: Map<string, Job>): { follows: string[] } {
  const follows: string[] = [];
  const find = (jobId: string) => {
    const job = jobs.get(jobId);
    if (job === undefined) throw Object.assign(new Error(`No job ${jobId}`), { code: 'JOB_NOT_FOUND', hint: 'List the jobs to see their ids.' });
    return job;
  };
  const changed = (job: Job) => {
    jobs.set(job.jobId, job);
    return job;
  };
  fake.answer('job.list', () => ({ jobs: [...jobs.values()].sort((a, b) => Number(b.jobId.slice(2)) - Number(a.jobId.slice(2))) }));
  fake.answer('job.get', (p) => find((p as { jobId: string }).jobId));
  fake.answer('job.stop', (p) => {
    const job = find((p as { jobId: string }).jobId);
    return changed({ ...job, state: 'stopped', endReason: 'stopped', timeline: [...job.timeline, { atMs: job.timeline.at(-1)!.atMs + 1, state: 'stopped' }] });
  });
  fake.answer('job.retry', (p) => {
    const job = find((p as { jobId: string }).jobId);
    return changed({ ...job, state: 'pending', attempt: job.attempt + 1, timeline: [...job.timeline, { atMs: job.timeline.at(-1)!.atMs + 1, state: 'pending' }] });
  });
  fake.answer('job.follow', () => {
    const followId = `f-${follows.length + 1}`;
    follows.push(followId);
    return { followId };
  });
  fake.answer('job.unfollow', () => ({}));
  fake.answer('schedule.list', () => ({ schedules: [] }));
  return { follows };
}
