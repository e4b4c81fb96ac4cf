import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { JobSpec } from '../../protocol/jobs.ts';
import { checkDraft, draftFrom, exactSize, type JobDraft } from './job-form-model.ts';

const base = (): JobDraft => draftFrom({ name: 'train', command: 'python', args: ['train.py', '--lr', '0.1'] }, [], 'demo');
const problems = (patch: Partial<JobDraft>) => {
  const outcome = checkDraft({ ...base(), ...patch });
  assert.equal(outcome.ok, false, 'expected problems');
  return outcome.ok ? {} : outcome.problems;
};

describe('job form', () => {
  it('turns a filled form into a specification the core’s schema accepts, arguments kept as a list', () => {
    const outcome = checkDraft({
      ...base(),
      env: [{ name: 'SEED', value: '42 43' }],
      datasets: ['/Projects/demo/penguins'],
      output: '/Projects/demo/results',
      cpus: '4',
      memory: '16G',
      gpuMode: 'per-host',
      gpuPerHost: '8',
      gpuHosts: '4',
      gpuModel: 'A100',
      labels: 'infiniband, nvlink',
      priority: '5',
      timeLimit: '1h30m',
      retries: '2',
      after: 'j-1, j-2',
    });
    assert.equal(outcome.ok, true);
    if (!outcome.ok) return;
    assert.ok(Value.Check(JobSpec, outcome.spec));
    assert.deepEqual(outcome.spec.args, ['train.py', '--lr', '0.1']);
    assert.deepEqual(outcome.spec.env, { SEED: '42 43' });
    assert.deepEqual(outcome.spec.resources, { cpus: 4, memoryBytes: 16 * 1024 ** 3, gpus: { perHost: 8, hosts: 4, model: 'A100' } });
    assert.deepEqual(outcome.spec.constraints, { labels: ['infiniband', 'nvlink'] });
    assert.equal(outcome.spec.timeLimitMs, 90 * 60_000);
    assert.equal(outcome.spec.retries, 2);
    assert.deepEqual(outcome.after, ['j-1', 'j-2']);
    assert.equal(outcome.cron, null);
  });

  it('gives the GPU shapes of the CLI: a count, a spread count, per host × hosts', () => {
    const gpus = (patch: Partial<JobDraft>) => {
      const outcome = checkDraft({ ...base(), ...patch });
      return outcome.ok ? outcome.spec.resources?.gpus : outcome.problems;
    };
    assert.deepEqual(gpus({ gpuMode: 'count', gpuCount: '4' }), { count: 4 });
    assert.deepEqual(gpus({ gpuMode: 'count', gpuCount: '4', spread: true }), { count: 4, spread: true });
    assert.deepEqual(gpus({ gpuMode: 'per-host', gpuPerHost: '10', gpuHosts: '1' }), { perHost: 10, hosts: 1 });
    assert.equal(gpus({ gpuMode: 'none', gpuCount: '4' }), undefined);
  });

  it('shows each problem by its field: sizes, durations, numbers, names, the schema’s bounds', () => {
    const found = problems({ name: '-bad', memory: '12 parsecs', timeLimit: '90', cpus: 'four', priority: '1000', after: 'job-1' });
    assert.match(found.memory!, /Invalid size "12 parsecs"/);
    assert.match(found.timeLimit!, /no unit/);
    assert.match(found.cpus!, /whole number/);
    assert.match(found.name!, /starts with a letter or digit/);
    assert.match(found.priority!, /100/);
    assert.match(found.after!, /not a job id/);
    assert.equal(Object.keys(found).length, 6);
  });

  it('applies the rules the schema cannot say, with the core’s own words', () => {
    assert.match(problems({ env: [{ name: 'A', value: '1' }, { name: 'CUDA_VISIBLE_DEVICES', value: '0' }] })['env.1']!, /set by the scheduler/);
    assert.match(problems({ datasets: ['/Projects/demo'] })['datasets.0']!, /not a dataset/);
    assert.match(problems({ datasets: ['/Projects/demo/a'], output: '/Projects/demo/a/out' }).output!, /overlaps/);
    assert.match(problems({ gpuMode: 'per-host', gpuPerHost: '100' }).gpuPerHost!, /64/);
    assert.match(problems({ env: [{ name: '1X', value: '' }] })['env.0']!, /variable name/);
    assert.match(problems({ command: '' }).command!, /program to run/);
    assert.match(problems({ project: '' }).project!, /project/);
  });

  it('reads a schedule as five cron fields and refuses run-after with it', () => {
    const outcome = checkDraft({ ...base(), cron: '0 3 * * 1-5' });
    assert.equal(outcome.ok && outcome.cron, '0 3 * * 1-5');
    assert.match(problems({ cron: 'every night' }).cron!, /five cron fields/);
    assert.match(problems({ cron: '0 3 * * *', after: 'j-1' }).after!, /cannot wait/);
  });

  it('prefills from a specification (Clone, Run as job) and gives the same specification back', () => {
    const spec: JobSpec = {
      name: 'train',
      project: 'vision',
      command: 'python',
      args: ['a b', ''],
      env: { SEED: '1' },
      resources: { cpus: 2, memoryBytes: 1536 * 1024 ** 2, gpus: { count: 2, spread: true, model: 'A100' } },
      constraints: { labels: ['infiniband'] },
      priority: 3,
      timeLimitMs: 5_400_000,
      retries: 1,
    };
    const draft = draftFrom(spec, ['j-4']);
    assert.equal(draft.memory, '1536M');
    const outcome = checkDraft(draft);
    assert.equal(outcome.ok, true);
    if (outcome.ok) {
      assert.deepEqual(outcome.spec, spec);
      assert.deepEqual(outcome.after, ['j-4']);
    }
    assert.equal(exactSize(1000), '1000');
  });
});
