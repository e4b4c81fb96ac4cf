/**
 * `hopsdesk job submit|list|status|logs|stop|retry|schedule`: the cluster's queue from the
 * command line. The command to run is passed on as argv, word for word (never through a
 * shell); the command line itself is read by `job-args.ts`.
 */
import { readFile } from 'node:fs/promises';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HopsError } from '../../protocol/errors.ts';
import { JobId, type Job, type JobListReply, type JobLogChunk, type JobLogStream, type JobSchedule, type ScheduleListReply } from '../../protocol/jobs-api.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { readJobFile, maxJobFileBytes } from './job-file.ts';
import { jobStatus, jobTable, scheduleTable } from './job-format.ts';
import { jobRequest, type JobRequest, type JobSpecFlags } from './job-spec.ts';
import { parseJobCommand, type JobCommand, type WithCore } from './job-args.ts';
import { exitOf, stateLine, watchJob } from './job-watch.ts';
import { ask, canAsk } from './prompt.ts';

const checkJobId = TypeCompiler.Compile(JobId);

/** Runs a `job` command; returns the process exit code (a waited-for job's own). */
export async function runJobCommand(argv: readonly string[], withCore: WithCore): Promise<number> {
  const parsed = parseJobCommand(argv);
  const { action, flags, values, operands } = parsed;
  // Everything about the request is checked before a cluster is started or reached.
  const request = parsed.action === 'submit' || parsed.action === 'schedule create' ? await requestOf(parsed) : undefined;
  const id = operands[0];
  if (id !== undefined && !action.startsWith('schedule') && !checkJobId.Check(id)) {
    throw new HopsError('VALIDATION', `"${id}" is not a job id; job ids look like j-17.`, { field: 'JOB-ID', hint: '`hopsdesk job list` shows your jobs.' });
  }
  if (action === 'schedule create' && typeof values.cron !== 'string') {
    throw new HopsError('VALIDATION', 'A schedule needs --cron with five crontab fields in UTC, e.g. --cron "*/15 * * * *".', { field: '--cron' });
  }
  if (action === 'schedule remove' && values.yes !== true) {
    if (!canAsk()) throw new HopsError('VALIDATION', `This deletes schedule ${id}. Add --yes to confirm.`, { field: '--yes', hint: `hopsdesk job schedule remove ${id} --yes` });
    if ((await ask(`Delete schedule ${id}? The jobs it submitted stay. Type "yes": `)) !== 'yes') {
      throw new HopsError('VALIDATION', 'Not confirmed; the schedule stays.', { field: '--yes' });
    }
  }
  const cluster = typeof values.cluster === 'string' ? { cluster: values.cluster } : {};
  const print = (output: CommandOutput) => process.stdout.write((flags.json ? JSON.stringify(output.json) : output.text) + '\n');

  return withCore(flags, async (core) => {
    switch (action) {
      case 'submit': {
        const job = (await core.dispatch('job.submit', { ...cluster, spec: request!.spec, ...(request!.after === undefined ? {} : { after: request!.after }) })) as Job;
        if (values.wait !== true) {
          print({ json: job, text: job.jobId });
          return 0;
        }
        if (!flags.json) process.stderr.write(`${job.jobId} submitted\n`);
        return waitFor(core, cluster.cluster, job, flags.json);
      }
      case 'list': {
        const reply = (await core.dispatch('job.list', {
          ...cluster,
          ...(typeof values.project === 'string' ? { project: values.project } : {}),
          ...(typeof values.state === 'string' ? { states: values.state.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
          ...(typeof values.limit === 'string' ? { limit: wholeNumber(values.limit, '--limit') } : {}),
        })) as JobListReply;
        print({ json: reply, text: jobTable(reply.jobs) + (reply.next === undefined ? '' : `\n(more: older jobs come before ${reply.next})`) });
        return 0;
      }
      case 'status': {
        const job = (await core.dispatch('job.get', { ...cluster, jobId: id })) as Job;
        print({ json: job, text: jobStatus(job) });
        return 0;
      }
      case 'logs':
        return logs(core, cluster.cluster, id!, values.stderr === true ? 'stderr' : 'stdout', values.follow === true, flags.json);
      case 'stop': {
        const job = (await core.dispatch('job.stop', { ...cluster, jobId: id })) as Job;
        print({ json: job, text: `${job.jobId} ${job.state}` });
        return 0;
      }
      case 'retry': {
        const job = (await core.dispatch('job.retry', { ...cluster, jobId: id })) as Job;
        print({ json: job, text: `${job.jobId} queued again as run ${job.attempt}` });
        return 0;
      }
      case 'schedule create': {
        const schedule = (await core.dispatch('schedule.create', { ...cluster, cron: values.cron, spec: request!.spec })) as JobSchedule;
        const next = schedule.nextRunMs === null ? '' : `; next run ${new Date(schedule.nextRunMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
        print({ json: schedule, text: `${schedule.scheduleId}${next}` });
        return 0;
      }
      case 'schedule list': {
        const reply = (await core.dispatch('schedule.list', { ...cluster, ...(typeof values.project === 'string' ? { project: values.project } : {}) })) as ScheduleListReply;
        print({ json: reply, text: scheduleTable(reply.schedules) });
        return 0;
      }
      default: {
        const reply = (await core.dispatch('schedule.remove', { ...cluster, scheduleId: id })) as { scheduleId: string };
        print({ json: reply, text: `Deleted schedule ${reply.scheduleId}` });
        return 0;
      }
    }
  });
}

/** The job file (if any) read, then the flags over it. */
async function requestOf(parsed: JobCommand): Promise<JobRequest> {
  const fileName = parsed.values.file;
  let file;
  if (typeof fileName === 'string') {
    let text: string;
    try {
      const handle = await readFile(fileName);
      if (handle.byteLength > maxJobFileBytes) throw new HopsError('VALIDATION', `${fileName} is larger than ${maxJobFileBytes / 1024} KiB; a job file holds one job's settings.`, { field: '--file' });
      text = handle.toString('utf8');
    } catch (err) {
      if (err instanceof HopsError) throw err;
      throw new HopsError('VALIDATION', `Cannot read the job file ${fileName}: ${(err as Error).message}.`, { field: '--file', hint: 'Check the path given to -f.' });
    }
    file = readJobFile(text, fileName);
  }
  return jobRequest(parsed.values as JobSpecFlags, parsed.command, file);
}

/** `submit --wait`: the job's logs as they come and its changes of state on stderr, then its exit code. */
async function waitFor(core: Core, cluster: string | undefined, job: Job, json: boolean): Promise<number> {
  const end = await watchJob(core, {
    cluster,
    jobId: job.jobId,
    // With --json, stdout is one JSON document: the job as it ended.
    streams: new Set<JobLogStream>(json ? [] : ['stdout', 'stderr']),
    onLine: (stream, line) => (stream === 'stdout' ? process.stdout : process.stderr).write(line + '\n'),
    onChange: json ? undefined : (changed) => process.stderr.write(stateLine(changed) + '\n'),
  });
  if (end.interrupted) {
    process.stderr.write(`\nNo longer waiting; ${job.jobId} goes on. \`hopsdesk job status ${job.jobId}\` shows it, \`hopsdesk job stop ${job.jobId}\` stops it.\n`);
    return 130;
  }
  if (json) process.stdout.write(JSON.stringify(end.job) + '\n');
  const exit = exitOf(end.job);
  if (exit.message !== undefined) process.stderr.write(`error: ${exit.message}\n  \`hopsdesk job status ${job.jobId}\` shows its timeline; \`hopsdesk job retry ${job.jobId}\` runs it again.\n`);
  return exit.code;
}

/** `job logs`: the log so far, page by page; with `-f`, then every new line until the job ends. */
async function logs(core: Core, cluster: string | undefined, jobId: string, stream: JobLogStream, follow: boolean, json: boolean): Promise<number> {
  const on = cluster === undefined ? {} : { cluster };
  // Asked first, so an unknown job or a missing role is its own clear error.
  await core.dispatch('job.get', { ...on, jobId });
  if (follow) {
    const end = await watchJob(core, {
      cluster,
      jobId,
      streams: new Set([stream]),
      onLine: (_stream, line) => process.stdout.write((json ? JSON.stringify({ stream, line }) : line) + '\n'),
    });
    if (end.interrupted) {
      process.stderr.write(`\nStopped following; ${jobId} goes on (\`hopsdesk job stop ${jobId}\` stops it).\n`);
      return 130;
    }
    if (json) process.stdout.write(JSON.stringify({ end: end.job }) + '\n');
    return 0;
  }
  let offset = 0;
  let text = '';
  for (;;) {
    const chunk = (await core.dispatch('job.logs', { ...on, jobId, stream, offset })) as JobLogChunk;
    if (json) text += chunk.data;
    else process.stdout.write(chunk.data);
    const read = Buffer.byteLength(chunk.data);
    offset = chunk.offset + read;
    if (read === 0 || offset >= chunk.size) break;
  }
  if (json) process.stdout.write(JSON.stringify({ jobId, stream, data: text }) + '\n');
  return 0;
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new HopsError('VALIDATION', `${flag} takes a whole number, not "${text}".`, { field: flag });
  return Number(text);
}
