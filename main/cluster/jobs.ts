/**
 * The desktop API's job and schedule methods: passed through to the head's `jobRoutes` with
 * the user's token (the head owns the queue and checks every role); the desktop adds the
 * checks a schema cannot make, and turns the head's log stream into `job.log` events.
 */
import { randomBytes } from 'node:crypto';
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { checkJobSpec, JobState, type JobSpec } from '../../protocol/jobs.ts';
import {
  jobRoutes,
  type Job,
  type JobListReply,
  type JobLogChunk,
  type JobSchedule,
  type JobUsageReply,
  type ScheduleListReply,
} from '../../protocol/jobs-api.ts';
import type { AgentClient } from './agent-client.ts';
import type { Clusters } from './clusters.ts';
import type { JobFollows } from './job-follows.ts';

type JobHandlers = Pick<
  DesktopHandlers,
  | 'job.submit'
  | 'job.list'
  | 'job.get'
  | 'job.stop'
  | 'job.retry'
  | 'job.logs'
  | 'job.follow'
  | 'job.unfollow'
  | 'job.usage'
  | 'schedule.create'
  | 'schedule.list'
  | 'schedule.remove'
>;

/** How long a submit is repeated while the head cannot be reached (it restarts in seconds). */
const submitRetryMs = 60_000;

const jobStates = new Set<string>(JobState.anyOf.map((literal) => literal.const));

/** Five crontab fields (minute hour day month weekday): numbers, names, `*`, `/`, `,`, `-`. */
const cronPattern = /^\s*[0-9A-Za-z*/,-]+(\s+[0-9A-Za-z*/,-]+){4}\s*$/;

export function jobHandlers(clusters: Clusters, follows: JobFollows): JobHandlers {
  const head = async (cluster: string | undefined): Promise<AgentClient> => (await clusters.ready(cluster)).client();
  const withQuery = (route: string, values: Record<string, string | number | undefined>): string => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
    return params.size === 0 ? route : `${route}?${params}`;
  };

  return {
    'job.submit': async ({ cluster, spec, after, requestId }) => {
      const body = { spec: checkedSpec(spec), ...(after === undefined ? {} : { after }), requestId: requestId ?? randomBytes(12).toString('base64url') };
      // Repeated with the same request id while the head is out of reach: one job, however often it is sent.
      const deadline = Date.now() + submitRetryMs;
      for (;;) {
        try {
          return await (await head(cluster)).call<Job>('POST', jobRoutes.jobs, {}, body);
        } catch (err) {
          const transient = err instanceof HopsError && (err.code === 'AGENT_UNREACHABLE' || err.code === 'SAFE_MODE' || err.status === 503);
          if (!transient || Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
    'job.list': async ({ cluster, project, states, before, limit }) =>
      (await head(cluster)).call<JobListReply>('GET', withQuery(jobRoutes.jobs, { project, state: checkedStates(states)?.join(','), before, limit })),
    'job.get': async ({ cluster, jobId }) => (await head(cluster)).call<Job>('GET', jobRoutes.job, { jobId }),
    'job.stop': async ({ cluster, jobId }) => (await head(cluster)).call<Job>('POST', jobRoutes.stop, { jobId }),
    'job.retry': async ({ cluster, jobId }) => (await head(cluster)).call<Job>('POST', jobRoutes.retry, { jobId }),
    'job.logs': async ({ cluster, jobId, stream, offset, length }) =>
      (await head(cluster)).call<JobLogChunk>('GET', withQuery(jobRoutes.logs, { stream, offset, length }), { jobId }),
    'job.follow': async ({ cluster, jobId }) => {
      const name = clusters.resolveName(cluster);
      return follows.start(name, (await head(name)).endpoint, jobId);
    },
    'job.unfollow': async ({ followId }) => {
      follows.stop(followId);
      return {};
    },
    'job.usage': async ({ cluster, jobId }) => (await head(cluster)).call<JobUsageReply>('GET', jobRoutes.usage, { jobId }),

    'schedule.create': async ({ cluster, cron, spec }) => {
      if (!cronPattern.test(cron)) {
        throw new HopsError('VALIDATION', `"${cron}" is not a schedule: give five crontab fields, minute hour day month weekday, e.g. "*/15 * * * *" (UTC).`, {
          field: '/cron',
        });
      }
      return (await head(cluster)).call<JobSchedule>('POST', jobRoutes.schedules, {}, { cron: cron.trim(), spec: checkedSpec(spec) });
    },
    'schedule.list': async ({ cluster, project }) =>
      (await head(cluster)).call<ScheduleListReply>('GET', withQuery(jobRoutes.schedules, { project })),
    'schedule.remove': async ({ cluster, scheduleId }) => {
      await (await head(cluster)).call('DELETE', jobRoutes.schedule, { scheduleId });
      return { scheduleId };
    },
  };
}

/** The specification's rules beyond its schema, checked before the head is asked; fields as the request names them. */
function checkedSpec(spec: JobSpec): JobSpec {
  try {
    return checkJobSpec(spec);
  } catch (err) {
    if (err instanceof HopsError && err.field !== undefined) throw new HopsError(err.code, err.message, { hint: err.hint, field: `/spec${err.field}` });
    throw err;
  }
}

function checkedStates(states: string[] | undefined): string[] | undefined {
  const unknown = states?.find((state) => !jobStates.has(state));
  if (unknown !== undefined) {
    throw new HopsError('VALIDATION', `"${unknown}" is not a job state; give some of ${[...jobStates].join(', ')}.`, { field: '/states' });
  }
  return states?.length === 0 ? undefined : states;
}
