import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HopsError } from '../../protocol/errors.ts';
import { checkArgv, jobEnvironment, schedulerEnv } from './job-environment.ts';

test('one process per host: torchrun variables with LOCAL_RANK 0 and NODE_RANK = RANK', () => {
  assert.deepEqual(schedulerEnv({ gpuIndices: [0, 1], rendezvous: { masterAddr: 'gpu-a', masterPort: 29400, worldSize: 4, rank: 3 } }), {
    CUDA_VISIBLE_DEVICES: '0,1',
    MASTER_ADDR: 'gpu-a',
    MASTER_PORT: '29400',
    WORLD_SIZE: '4',
    RANK: '3',
    LOCAL_RANK: '0',
    NODE_RANK: '3',
  });
  assert.deepEqual(schedulerEnv({ gpuIndices: [] }), { CUDA_VISIBLE_DEVICES: '' });
});

test('an unsound placement is refused, naming the field', () => {
  const refused = (field: string) => (err: HopsError) => err.code === 'VALIDATION' && err.field === field;
  assert.throws(() => schedulerEnv({ gpuIndices: [], rendezvous: { masterAddr: 'a', masterPort: 1, worldSize: 2, rank: 2 } }), refused('/rendezvous'));
  assert.throws(() => schedulerEnv({ gpuIndices: [], rendezvous: { masterAddr: 'a;rm', masterPort: 1, worldSize: 2, rank: 0 } }), refused('/rendezvous'));
  assert.throws(() => schedulerEnv({ gpuIndices: [-1] }), refused('/gpuIndices'));
});

test("the job's variables are checked; only PATH, HOME and LANG come from the agent", () => {
  const agentEnv = { PATH: '/usr/bin', HOME: '/home/lab', LANG: 'C.UTF-8', HOPSDESK_TOKEN: 'secret', SSH_AUTH_SOCK: '/tmp/agent' };
  assert.deepEqual(jobEnvironment({ HOME: '/scratch' }, { gpuIndices: [] }, agentEnv), { PATH: '/usr/bin', HOME: '/scratch', LANG: 'C.UTF-8', CUDA_VISIBLE_DEVICES: '' });
  const refused = (field: string) => (err: HopsError) => err.code === 'VALIDATION' && err.field === field;
  assert.throws(() => jobEnvironment({ '1BAD': 'x' }, { gpuIndices: [] }, agentEnv), refused('/env/1BAD'));
  assert.throws(() => jobEnvironment({ RANK: '0' }, { gpuIndices: [] }, agentEnv), refused('/env/RANK'));
  assert.throws(() => jobEnvironment({ A: 'a\0b' }, { gpuIndices: [] }, agentEnv), refused('/env/A'));
  const many = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`V${i}`, '']));
  assert.throws(() => jobEnvironment(many, { gpuIndices: [] }, agentEnv), refused('/env'));
});

test('argv is bounded and free of NUL', () => {
  const refused = (field: string) => (err: HopsError) => err.code === 'VALIDATION' && err.field === field;
  assert.throws(() => checkArgv([]), refused('/command'));
  assert.throws(() => checkArgv(['echo', 'x'.repeat(200 * 1024)]), refused('/args'));
  assert.throws(() => checkArgv(['echo', 'ok', 'a\0']), refused('/args/1'));
  checkArgv(['echo', '$(rm -rf /)']);
});

test('a job on several hosts is pointed at the interface the cluster reaches its host on; its own setting wins', () => {
  const rendezvous = { masterAddr: '10.0.0.1', masterPort: 29500, worldSize: 2, rank: 1, networkInterface: 'eth1' };
  const env = jobEnvironment({}, { gpuIndices: [], rendezvous }, { PATH: '/usr/bin' });
  assert.equal(env['GLOO_SOCKET_IFNAME'], 'eth1');
  assert.equal(env['NCCL_SOCKET_IFNAME'], 'eth1');
  const own = jobEnvironment({ NCCL_SOCKET_IFNAME: 'ib0' }, { gpuIndices: [], rendezvous }, {});
  assert.equal(own['NCCL_SOCKET_IFNAME'], 'ib0');
  assert.equal(jobEnvironment({}, { gpuIndices: [] }, {})['GLOO_SOCKET_IFNAME'], undefined, 'one host: no hint');
});
