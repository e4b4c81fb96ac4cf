import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addLabels,
  emptyDraft,
  isDraftValid,
  labelProblem,
  machineKey,
  parseTarget,
  targetProblem,
  toCreateParams,
  validateDraft,
  type ClusterDraft,
} from './new-cluster.ts';

const draft = (overrides: Partial<ClusterDraft> = {}): ClusterDraft => ({
  ...emptyDraft(),
  name: 'lab',
  head: { id: 0, target: 'ubuntu@gpu-head', labels: [] },
  ...overrides,
});
const worker = (id: number, target: string, labels: string[] = []) => ({ id, target, labels });

describe('SSH targets', () => {
  it('reads user, host and port, with port 22 by default', () => {
    assert.deepEqual(parseTarget('ubuntu@gpu-1'), { user: 'ubuntu', host: 'gpu-1', port: 22 });
    assert.deepEqual(parseTarget('root@10.0.0.7:2222'), { user: 'root', host: '10.0.0.7', port: 2222 });
    assert.deepEqual(parseTarget('me@[fe80::1]:2200'), { user: 'me', host: 'fe80::1', port: 2200 });
  });

  it('refuses what ssh would not take', () => {
    for (const bad of ['gpu-1', '@gpu-1', 'ubuntu@', 'ubuntu@gpu 1', 'ubuntu@gpu:0', 'ubuntu@gpu:70000', 'ubuntu@gpu:ssh', 'a b@gpu', 'me@[fe80::1']) {
      assert.equal(parseTarget(bad), null, bad);
    }
  });

  it('says what is wrong in words', () => {
    assert.match(targetProblem('') ?? '', /user@host/);
    assert.match(targetProblem('gpu-1') ?? '', /ubuntu@gpu-1/);
    assert.match(targetProblem('ubuntu@gpu:99999') ?? '', /port/);
    assert.match(targetProblem('ubuntu@gpu 1') ?? '', /user@host/);
    assert.equal(targetProblem('  ubuntu@gpu-1  '), undefined);
  });

  it('treats the same machine and port as one host, whoever logs in', () => {
    assert.equal(machineKey('alice@GPU-1'), machineKey('bob@gpu-1:22'));
    assert.notEqual(machineKey('alice@gpu-1'), machineKey('alice@gpu-1:2222'));
  });
});

describe('labels', () => {
  it('accepts scheduler-style labels and refuses the rest with a reason', () => {
    assert.equal(labelProblem('infiniband'), undefined);
    assert.equal(labelProblem('gpu=a100'), undefined);
    assert.match(labelProblem('-bad') ?? '', /starting with a letter or digit/);
    assert.match(labelProblem('x'.repeat(65)) ?? '', /64/);
  });

  it('adds several at once, once each, and refuses all when one is bad', () => {
    assert.deepEqual(addLabels(['infiniband'], 'nvlink, infiniband a100'), { labels: ['infiniband', 'nvlink', 'a100'] });
    const refused = addLabels(['infiniband'], 'ok bad!');
    assert.deepEqual(refused.labels, ['infiniband']);
    assert.match(refused.problem ?? '', /bad!/);
  });

  it('caps a host at 32 labels', () => {
    const many = Array.from({ length: 32 }, (_, i) => `l${i}`);
    assert.match(addLabels(many, 'one-more').problem ?? '', /32/);
  });
});

describe('draft validation', () => {
  it('passes a head with labelled workers', () => {
    const errors = validateDraft(draft({ workers: [worker(1, 'ubuntu@gpu-1', ['infiniband']), worker(2, 'ubuntu@gpu-2:2222')] }));
    assert.equal(isDraftValid(errors), true);
  });

  it('needs a valid, unused name', () => {
    assert.match(validateDraft(draft({ name: '' })).name ?? '', /name/);
    assert.match(validateDraft(draft({ name: 'my lab' })).name ?? '', /letters/);
    assert.match(validateDraft(draft({ name: 'local' }), ['local']).name ?? '', /exists/);
  });

  it('names the row a duplicate host repeats', () => {
    const errors = validateDraft(draft({ workers: [worker(1, 'ubuntu@gpu-1'), worker(2, 'root@GPU-1:22'), worker(3, 'x@gpu-head')] }));
    assert.equal(errors.hosts[1]?.target, undefined);
    assert.match(errors.hosts[2]?.target ?? '', /worker 1/);
    assert.match(errors.hosts[3]?.target ?? '', /the head/);
    assert.equal(isDraftValid(errors), false);
  });

  it('asks to fill in or remove an empty worker row', () => {
    assert.match(validateDraft(draft({ workers: [worker(1, '  ')] })).hosts[1]?.target ?? '', /remove this worker/);
  });

  it('checks the bastion and that it is not one of the hosts', () => {
    assert.match(validateDraft(draft({ jump: 'bastion' })).jump ?? '', /user name/);
    assert.match(validateDraft(draft({ jump: 'ops@gpu-head' })).jump ?? '', /one of the hosts/);
    assert.equal(validateDraft(draft({ jump: 'ops@bastion.example.org' })).jump, undefined);
  });

  it('flags invalid labels already on a host', () => {
    assert.match(validateDraft(draft({ head: { id: 0, target: 'u@h', labels: ['ok', 'no way'] } })).hosts[0]?.labels ?? '', /Labels use/);
  });
});

describe('create request', () => {
  it('sends only what was filled in, trimmed, with the confirmed keys once each', () => {
    const params = toCreateParams(
      draft({
        name: ' lab ',
        head: { id: 0, target: ' ubuntu@gpu-head ', labels: ['infiniband'] },
        workers: [worker(1, 'ubuntu@gpu-1')],
        keyFile: ' ~/.ssh/lab ',
        password: 'secret',
      }),
      ['SHA256:a', 'SHA256:a', 'SHA256:b'],
    );
    assert.deepEqual(params, {
      name: 'lab',
      head: { target: 'ubuntu@gpu-head', labels: ['infiniband'] },
      workers: [{ target: 'ubuntu@gpu-1' }],
      keyFile: '~/.ssh/lab',
      password: 'secret',
      acceptHostKeys: ['SHA256:a', 'SHA256:b'],
    });
  });

  it('leaves out workers, secrets, bastion and keys when there are none', () => {
    assert.deepEqual(toCreateParams(draft(), []), { name: 'lab', head: { target: 'ubuntu@gpu-head' } });
  });
});
