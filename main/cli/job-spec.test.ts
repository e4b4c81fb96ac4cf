/** Flags, `--` and job files → the job specification, and every mistake named where it was made. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { parseJobCommand, isJobCommand } from './job-args.ts';
import { readJobFile } from './job-file.ts';
import { defaultName, jobRequest } from './job-spec.ts';

/** The request a `hopsdesk job submit …` line makes. */
const submit = (...argv: string[]) => {
  const parsed = parseJobCommand(['job', 'submit', ...argv]);
  return jobRequest(parsed.values, parsed.command);
};

/** Asserts a VALIDATION error whose field and message name `where`. */
function refused(run: () => unknown, field: string, message: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof HopsError, String(err));
    assert.equal(err.code, 'VALIDATION');
    assert.equal(err.field, field, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('every flag lands in its field of the specification', () => {
  const { spec, after } = submit(
    '--project', 'vision', '--name', 'resnet.v2', '--gpus', '4', '--spread', '--gpu-model', 'A100', '--label', 'infiniband', '--label', 'nvme',
    '--cpus', '16', '--memory', '64GiB', '--dataset', '/Projects/vision/imagenet', '--dataset', '/Projects/vision/labels/train.csv',
    '--output', '/Projects/vision/runs/r1', '--time-limit', '1h30m', '--retries', '2', '--priority=-5',
    '--env', 'OMP_NUM_THREADS=4', '--env', 'NOTE=a=b c', '--after', 'j-3', '--after', 'j-4', '--wait',
    '--', 'python3', 'train.py', '--lr', '3e-4',
  );
  assert.deepEqual(spec, {
    project: 'vision',
    name: 'resnet.v2',
    command: 'python3',
    args: ['train.py', '--lr', '3e-4'],
    datasets: ['/Projects/vision/imagenet', '/Projects/vision/labels/train.csv'],
    output: '/Projects/vision/runs/r1',
    priority: -5,
    retries: 2,
    timeLimitMs: 90 * 60_000,
    env: { OMP_NUM_THREADS: '4', NOTE: 'a=b c' },
    constraints: { labels: ['infiniband', 'nvme'] },
    resources: { cpus: 16, memoryBytes: 64 * 1024 ** 3, gpus: { count: 4, spread: true, model: 'A100' } },
  });
  assert.deepEqual(after, ['j-3', 'j-4']);
});

test('the three GPU shapes, as docs/scheduler.md writes them', () => {
  assert.deepEqual(submit('--project', 'p1', '--gpus', '4', '--', 'x').spec.resources, { gpus: { count: 4 } });
  assert.deepEqual(submit('--project', 'p1', '--gpus', '4', '--spread', '--', 'x').spec.resources, { gpus: { count: 4, spread: true } });
  assert.deepEqual(submit('--project', 'p1', '--gpus-per-host', '10', '--hosts', '1', '--', 'x').spec.resources, { gpus: { perHost: 10, hosts: 1 } });
  const gang = submit('--project', 'p1', '--gpus-per-host', '8', '--hosts', '4', '--label', 'infiniband', '--', 'x').spec;
  assert.deepEqual([gang.resources, gang.constraints], [{ gpus: { perHost: 8, hosts: 4 } }, { labels: ['infiniband'] }]);
  // Nothing asked: the cluster's defaults apply (1 CPU, 1 GiB, no GPU).
  assert.equal(submit('--project', 'p1', '--', 'x').spec.resources, undefined);
});

test('everything after -- is the command, shell metacharacters and flags kept verbatim', () => {
  const words = ['sh', '-c', 'echo hi; exit 3', '$HOME', '`id`', '"q"', "'s'", '*.txt', 'a|b', '&&', '>out', '--json', '-f', '--', ''];
  const { spec } = submit('--project', 'p1', '--', ...words);
  assert.deepEqual([spec.command, ...(spec.args ?? [])], words);
  assert.equal(spec.name, 'sh');
  // --json after -- belongs to the command, not to hopsdesk.
  assert.equal(parseJobCommand(['job', 'submit', '--project', 'p1', '--', 'x', '--json']).flags.json, false);
  refused(() => submit('--project', 'p1', 'python', 'train.py'), 'COMMAND', /after --/);
  refused(() => submit('--project', 'p1'), 'COMMAND', /No command to run/);
  refused(() => submit('--', 'x'), '--project', /Which project/);
  assert.throws(() => parseJobCommand(['job', 'list', '--', 'x']), /"job list" takes no command after --/);
});

test('a job command is recognised with global flags first, and -f means file or follow by command', () => {
  assert.equal(isJobCommand(['--workspace', 'w', '--json', 'job', 'list']), true);
  assert.equal(isJobCommand(['cluster', 'status', '--', 'job']), false);
  assert.equal(parseJobCommand(['job', 'logs', 'j-1', '-f']).values.follow, true);
  assert.equal(parseJobCommand(['job', 'submit', '-f', 'job.yaml']).values.file, 'job.yaml');
  assert.equal(parseJobCommand(['job', 'schedule', 'create', '--cron', '* * * * *', '-f', 'a.yaml']).action, 'schedule create');
  refused(() => parseJobCommand(['job', 'logs', 'j-1', '--gpus', '2']), '--gpus', /does not take --gpus/);
  assert.throws(() => parseJobCommand(['job', 'explode']), /Unknown command "job explode"/);
  refused(() => parseJobCommand(['job', 'status']), 'JOB-ID', /takes JOB-ID/);
});

test('bad sizes, durations, negative and absurd resources are refused with the flag named', () => {
  const base = ['--project', 'p1'];
  refused(() => submit(...base, '--memory', '64 gigs', '--', 'x'), '--memory', /Invalid size/);
  refused(() => submit(...base, '--memory', '128TiB', '--', 'x'), '--memory', /64 TiB/);
  refused(() => submit(...base, '--memory', '0', '--', 'x'), '--memory', /1 byte/);
  refused(() => submit(...base, '--time-limit', '90', '--', 'x'), '--time-limit', /no unit/);
  refused(() => submit(...base, '--time-limit', '100d', '--', 'x'), '--time-limit', /90d/);
  refused(() => submit(...base, '--cpus=-2', '--', 'x'), '--cpus', /from 1 to 1024/);
  refused(() => submit(...base, '--cpus', '-2', '--', 'x'), '--cpus', /--cpus=-XYZ/);
  refused(() => submit(...base, '--cpus', '4.5', '--', 'x'), '--cpus', /whole number/);
  refused(() => submit(...base, '--gpus', '5000', '--', 'x'), '--gpus', /from 0 to 1024/);
  refused(() => submit(...base, '--gpus-per-host', '65', '--hosts', '2', '--', 'x'), '--gpus-per-host', /from 0 to 64/);
  refused(() => submit(...base, '--gpus-per-host', '8', '--hosts', '1000', '--', 'x'), '--hosts', /from 1 to 256/);
  refused(() => submit(...base, '--gpus-per-host', '64', '--hosts', '256', '--', 'x'), '--gpus', /at most 1024/);
  refused(() => submit(...base, '--hosts', '2', '--', 'x'), '--hosts', /GPUs per host/);
  refused(() => submit(...base, '--gpus-per-host', '8', '--hosts', '2', '--spread', '--', 'x'), '--spread', /spread is for a count/);
  refused(() => submit(...base, '--gpu-model', 'A100', '--', 'x'), '--gpus', /Give a GPU count/);
  refused(() => submit(...base, '--priority', '101', '--', 'x'), '--priority', /-100 to 100/);
  refused(() => submit(...base, '--retries', '11', '--', 'x'), '--retries', /0 to 10/);
  refused(() => submit(...base, '--env', 'NOVALUE', '--', 'x'), '--env', /NAME=VALUE/);
  refused(() => submit(...base, '--env', '1X=2', '--', 'x'), '--env', /not a variable name/);
  refused(() => submit(...base, '--env', 'CUDA_VISIBLE_DEVICES=0', '--', 'x'), '--env', /set by the scheduler/);
  refused(() => submit(...base, '--dataset', '/etc/passwd', '--', 'x'), '--dataset', /not a dataset|Projects/);
  refused(() => submit(...base, '--dataset', '/Projects/p1/d', '--output', '/Projects/p1/d/out', '--', 'x'), '--output', /overlaps/);
  refused(() => submit(...base, '--after', 'job-3', '--', 'x'), '--after', /not a job id/);
  refused(() => submit(...base, '--name', 'my job!', '--', 'x'), '--name', /"my job!" is not a job name: use letters/);
  refused(() => submit('--project', 'Vision', '--', 'x'), '--project', /lowercase/);
  refused(() => submit(...base, '--', 'x', 'a\u0000b'), 'COMMAND', /argument 1 of COMMAND/);
});

test('the name defaults to the command’s base name, made safe', () => {
  assert.equal(defaultName('/usr/bin/python3'), 'python3');
  assert.equal(defaultName('./train model.sh'), 'train-model.sh');
  assert.equal(defaultName('__init__'), 'init__');
  assert.equal(defaultName('…'), 'job');
  assert.equal(defaultName('x'.repeat(300)).length, 128);
});

const fullFile = `# a job, every key
name: resnet
project: vision
command: python3
args: [train.py, --epochs, 10]
env:
  OMP_NUM_THREADS: 4
  DEBUG: true
datasets:
  - /Projects/vision/imagenet
output: /Projects/vision/runs/r1
resources:
  cpus: 8
  memory: 64GiB
  gpus: {perHost: 8, hosts: 4, model: H100}
constraints:
  labels: [infiniband]
priority: 10
timeLimit: 2h
retries: 1
after: [j-7]
`;

test('a job file gives every field, sizes and durations as people write them', () => {
  const file = readJobFile(fullFile, 'job.yaml');
  const { spec, after } = jobRequest({}, [], file);
  assert.deepEqual(spec, {
    name: 'resnet',
    project: 'vision',
    command: 'python3',
    args: ['train.py', '--epochs', '10'],
    env: { OMP_NUM_THREADS: '4', DEBUG: 'true' },
    datasets: ['/Projects/vision/imagenet'],
    output: '/Projects/vision/runs/r1',
    resources: { cpus: 8, memoryBytes: 64 * 1024 ** 3, gpus: { perHost: 8, hosts: 4, model: 'H100' } },
    constraints: { labels: ['infiniband'] },
    priority: 10,
    timeLimitMs: 2 * 3_600_000,
    retries: 1,
  });
  assert.deepEqual(after, ['j-7']);
  // A whole argv as the command, and the spec's own spellings of sizes and durations.
  const argv = readJobFile('project: p1\ncommand: [sh, -c, "echo $X; exit 3"]\nresources: {memoryBytes: 1024}\ntimeLimitMs: 5000\n', 'a.yaml');
  const second = jobRequest({}, [], argv).spec;
  assert.deepEqual([second.command, second.args, second.resources, second.timeLimitMs, second.name], ['sh', ['-c', 'echo $X; exit 3'], { memoryBytes: 1024 }, 5000, 'sh']);
});

test('flags beside -f win over the file; a GPU shape flag replaces the file’s shape', () => {
  const file = readJobFile(fullFile, 'job.yaml');
  const { spec } = jobRequest(parseJobCommand(['job', 'submit', '-f', 'job.yaml', '--project', 'nlp', '--gpus', '2', '--env', 'DEBUG=0', '--memory', '8G']).values, [], file);
  assert.equal(spec.project, 'nlp');
  assert.deepEqual(spec.resources, { cpus: 8, memoryBytes: 8 * 1024 ** 3, gpus: { count: 2, model: 'H100' } });
  assert.deepEqual(spec.env, { OMP_NUM_THREADS: '4', DEBUG: '0' });
  const other = jobRequest({}, ['bash', 'run.sh'], file).spec;
  assert.deepEqual([other.command, other.args, other.name], ['bash', ['run.sh'], 'resnet']);
});

test('job file mistakes name the key and its line', () => {
  refused(() => readJobFile('name: a\nresources:\n  cpus: 2\n  gpu: 4\n', 'job.yaml'), 'resources.gpu', /resources\.gpu \(job\.yaml line 4\): unknown key "gpu" in resources/);
  refused(() => readJobFile('name: a\nprojct: p1\n', 'job.yaml'), 'projct', /line 2\): unknown key "projct"/);
  refused(() => readJobFile('name: a\nargs: [1,\n', 'job.yaml'), 'job.yaml', /job\.yaml line \d+: /);
  refused(() => readJobFile('name: a\nname: b\n', 'job.yaml'), 'job.yaml', /line 2: Map keys must be unique/);
  refused(() => readJobFile('- a\n- b\n', 'job.yaml'), 'job.yaml', /map of settings/);
  refused(() => readJobFile('', 'job.yaml'), 'job.yaml', /empty/);
  refused(() => readJobFile('resources:\n  memory: 12 parsecs\n', 'job.yaml'), 'resources.memory (job.yaml line 2)', /Invalid size/);
  refused(() => readJobFile('timeLimit: 30\n', 'job.yaml'), 'timeLimit', /with its unit/);
  refused(() => readJobFile('env: [A]\n', 'job.yaml'), 'env', /map of NAME: value/);
  const cpus = readJobFile('project: p1\ncommand: x\nresources:\n  cpus: -3\n', 'job.yaml');
  refused(() => jobRequest({}, [], cpus), 'resources.cpus', /resources\.cpus \(job\.yaml line 4\): Expected integer to be greater or equal to 1/);
  const priority = readJobFile('project: p1\ncommand: x\npriority: high\n', 'job.yaml');
  refused(() => jobRequest({}, [], priority), 'priority', /priority \(job\.yaml line 3\)/);
  const model = readJobFile('project: p1\ncommand: x\nresources:\n  gpus:\n    model: A100\n', 'job.yaml');
  refused(() => jobRequest({}, [], model), 'resources.gpus', /resources\.gpus \(job\.yaml line 5\): Give a GPU count/);
  refused(() => readJobFile('project: p1\ncommand: [sh, -c, {a: 1}]\n', 'job.yaml'), 'command.2', /command\.2 \(job\.yaml line 2\): expected text/);
});
