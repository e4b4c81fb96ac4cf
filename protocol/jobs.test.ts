import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { HopsError } from './errors.ts';
import { checkJobSpec, JobSpec, jobLimits, jobSpecProblem } from './jobs.ts';

const base: JobSpec = { name: 'train-resnet', project: 'vision', command: 'python3', args: ['train.py', '--epochs', '3'] };

test('the three talk shapes are valid specifications', () => {
  const shapes: JobSpec[] = [
    { ...base, resources: { gpus: { count: 4 } } },
    { ...base, resources: { cpus: 16, memoryBytes: 64 * 1024 ** 3, gpus: { perHost: 10, hosts: 1 } } },
    { ...base, resources: { gpus: { perHost: 10, hosts: 10, model: 'A100' } }, constraints: { labels: ['infiniband'] }, priority: 10, timeLimitMs: 7_200_000, retries: 2 },
  ];
  for (const spec of shapes) {
    assert.ok(Value.Check(JobSpec, spec), JSON.stringify([...Value.Errors(JobSpec, spec)][0]));
    assert.equal(jobSpecProblem(spec), undefined);
  }
});

test('the schema refuses unsafe names, shell strings it cannot run, and absurd resources', () => {
  const bad: unknown[] = [
    { ...base, name: 'x; rm -rf /' },
    { ...base, name: '$(reboot)' },
    { ...base, name: 'a'.repeat(jobLimits.maxNameLength + 1) },
    { ...base, project: '../etc' },
    { ...base, command: '' },
    { ...base, args: ['a\u0000b'] },
    { ...base, env: { '1BAD': 'x' } },
    { ...base, env: { 'A-B': 'x' } },
    { ...base, resources: { cpus: -1 } },
    { ...base, resources: { cpus: 0 } },
    { ...base, resources: { memoryBytes: -5 } },
    { ...base, resources: { gpus: { count: -1 } } },
    { ...base, resources: { gpus: { count: 1025 } } },
    { ...base, resources: { gpus: { count: 2.5 } } },
    { ...base, resources: { gpus: { perHost: 8, hosts: 257 } } },
    { ...base, resources: { gpus: { count: 1, extra: true } } },
    { ...base, priority: 101 },
    { ...base, priority: -101 },
    { ...base, retries: 11 },
    { ...base, timeLimitMs: 0 },
    { ...base, constraints: { labels: ['ok', 'bad\nlabel'] } },
    { ...base, shell: 'bash -c "x"' },
  ];
  for (const spec of bad) assert.equal(Value.Check(JobSpec, spec), false, JSON.stringify(spec));
});

test('rules beyond the schema are named with their field', () => {
  const cases: Array<[JobSpec, string, RegExp]> = [
    [{ ...base, args: Array.from({ length: 200 }, () => 'x'.repeat(1000)) }, '/args', /take \d+ bytes; at most 131072/],
    [{ ...base, env: Object.fromEntries(Array.from({ length: 100 }, (_, n) => [`V${n}`, 'x'.repeat(1000)])) }, '/env', /environment takes \d+ bytes; at most 65536/],
    [{ ...base, env: { CUDA_VISIBLE_DEVICES: '0,1,2,3' } }, '/env/CUDA_VISIBLE_DEVICES', /set by the scheduler/],
    [{ ...base, resources: { gpus: { hosts: 4 } } }, '/resources/gpus/hosts', /needs GPUs per host/],
    [{ ...base, resources: { gpus: { perHost: 8, hosts: 4, count: 16 } } }, '/resources/gpus/count', /differs from perHost × hosts = 32/],
    [{ ...base, resources: { gpus: { perHost: 64, hosts: 64 } } }, '/resources/gpus', /asks 4096 GPUs; at most 1024/],
    [{ ...base, resources: { gpus: { perHost: 2, hosts: 2, spread: true } } }, '/resources/gpus/spread', /spread is for a count alone/],
    [{ ...base, resources: { gpus: { model: 'A100' } } }, '/resources/gpus', /Give a GPU count/],
    [{ ...base, datasets: ['/Projects/vision/../../etc'] }, '/datasets/0', /rule no-dot-segments/],
    [{ ...base, datasets: ['/Projects/vision'] }, '/datasets/0', /is not a dataset/],
    [{ ...base, output: '/etc/passwd' }, '/output', /rule under-projects/],
    [{ ...base, datasets: ['/Projects/vision/images'], output: '/Projects/vision/images/out' }, '/output', /overlaps the staged-in dataset/],
  ];
  for (const [spec, field, message] of cases) {
    const problem = jobSpecProblem(spec);
    assert.equal(problem?.field, field, JSON.stringify(spec).slice(0, 100));
    assert.match(problem?.message ?? '', message);
    assert.throws(() => checkJobSpec(spec), (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION' && err.field === field);
  }
  assert.equal(jobSpecProblem({ ...base, datasets: ['/Projects/vision/images', '/Projects/nlp/corpus/2024'], output: '/Projects/vision/runs' }), undefined);
});
