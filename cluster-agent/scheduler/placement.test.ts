import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Allocation } from './cluster-snapshot.ts';
import { neverFits } from './never-fits.ts';
import { placeJobs, type PlacementResult } from './placement.ts';
import { host, queued, snapshot, spec } from './testing-cluster.ts';

const hour = 3_600_000;
const now = 1_000_000;

function startOf(result: PlacementResult, jobId: string) {
  return result.starts.find((start) => start.jobId === jobId);
}
function reasonOf(result: PlacementResult, jobId: string) {
  return result.pending.find((entry) => entry.jobId === jobId)?.reason;
}
/** A running job holding `gpus` on a host, until `endsByMs` (null: no time limit). */
function holding(jobId: string, hostName: string, gpus: number[], endsByMs: number | null = null, project = 'other'): Allocation {
  return { jobId, project, hosts: [{ hostId: `id-${hostName}`, gpus, cpus: 1, memoryBytes: 1024 ** 3 }], endsByMs };
}

test('"4 GPUs on any host": all four on one host, the tightest that has them', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8 }), host({ name: 'gpu-b', gpus: 4 })];
  const result = placeJobs(snapshot(hosts), [queued('j1', 1, { resources: { gpus: { count: 4 } } })]);
  assert.deepEqual(startOf(result, 'j1')?.hosts.map((share) => [share.hostId, share.gpus]), [['id-gpu-b', [0, 1, 2, 3]]]);
});

test('"4 GPUs on any host" never spans hosts unless it allows spreading', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 4 }), host({ name: 'gpu-b', gpus: 4 })];
  const allocations = [holding('r1', 'gpu-a', [0, 1]), holding('r2', 'gpu-b', [0, 1, 2])];
  const one = placeJobs(snapshot(hosts, allocations), [queued('one', 1, { resources: { gpus: { count: 3 } } })]);
  assert.match(reasonOf(one, 'one')?.message ?? '', /^needs 3 GPUs on one host; the largest free set is 2 on gpu-a;/);
  const spread = placeJobs(snapshot(hosts, allocations), [queued('spread', 1, { resources: { gpus: { count: 3, spread: true } } })]);
  assert.deepEqual(startOf(spread, 'spread')?.hosts.map((share) => [share.hostId, share.gpus]), [['id-gpu-a', [2, 3]], ['id-gpu-b', [3]]]);
});

test('"10 GPUs on 1 host": refused at submit on 8-GPU hosts, placed on a 16-GPU host, and told why it waits', () => {
  const ten = spec({ resources: { gpus: { perHost: 10, hosts: 1 } } });
  const small = [host({ name: 'gpu-a', gpus: 8 }), host({ name: 'gpu-b', gpus: 8 })];
  assert.equal(neverFits(ten, small), 'asks 10 GPUs on one host; the largest host has 8 (gpu-a)');
  const refused = placeJobs(snapshot(small), [{ jobId: 'j1', submitSeq: 1, spec: ten }]);
  assert.deepEqual(refused.pending[0]?.reason, { kind: 'never-fits', message: 'asks 10 GPUs on one host; the largest host has 8 (gpu-a)' });

  const big = [host({ name: 'gpu-a', gpus: 16 }), host({ name: 'gpu-b', gpus: 8 })];
  assert.equal(neverFits(ten, big), undefined);
  assert.deepEqual(startOf(placeJobs(snapshot(big), [{ jobId: 'j1', submitSeq: 1, spec: ten }]), 'j1')?.hosts[0]?.gpus, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  const busy = placeJobs(snapshot(big, [holding('r1', 'gpu-a', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])]), [{ jobId: 'j1', submitSeq: 1, spec: ten }]);
  assert.match(reasonOf(busy, 'j1')?.message ?? '', /^needs 10 GPUs on one host; the largest free set is 8 on gpu-b/);
});

test('"N GPUs on M hosts with Infiniband": a gang on exactly M labelled hosts, or nothing', () => {
  const hosts = [
    host({ name: 'ib-1', gpus: 8, labels: ['infiniband'] }),
    host({ name: 'ib-2', gpus: 8, labels: ['infiniband'] }),
    host({ name: 'ib-3', gpus: 8, labels: ['infiniband'] }),
    host({ name: 'plain', gpus: 8 }),
  ];
  const gang = { resources: { gpus: { perHost: 8, hosts: 3 } }, constraints: { labels: ['infiniband'] } };
  const placed = placeJobs(snapshot(hosts), [queued('g', 1, gang)]);
  assert.deepEqual(startOf(placed, 'g')?.hosts.map((share) => share.hostId).sort(), ['id-ib-1', 'id-ib-2', 'id-ib-3']);
  assert.ok(startOf(placed, 'g')?.hosts.every((share) => share.gpus.length === 8));

  // One labelled host is half busy: nothing of the gang starts, and the reason counts the hosts that qualify.
  const partly = placeJobs(snapshot(hosts, [holding('r1', 'ib-2', [0, 1, 2, 3])]), [queued('g', 1, gang)]);
  assert.equal(partly.starts.length, 0);
  assert.match(reasonOf(partly, 'g')?.message ?? '', /^needs 8 GPUs on each of 3 hosts with label infiniband; 2 hosts have that many free \(ib-1 and ib-3\)/);

  // A labelled host is down: it waits for that host, and says so.
  const down = hosts.map((h) => (h.name === 'ib-3' ? { ...h, state: 'unreachable' as const } : h));
  assert.deepEqual(reasonOf(placeJobs(snapshot(down), [queued('g', 1, gang)]), 'g'), {
    kind: 'no-eligible-host',
    message: 'needs 8 GPUs on each of 3 hosts with label infiniband; only 2 healthy hosts have that many (ib-1 and ib-2); ib-3 is unreachable',
  });

  // No host has the label at all: refused at submit.
  assert.equal(neverFits(spec(gang), hosts.slice(3)), 'asks 8 GPUs on each of 3 hosts with label infiniband; no host has label infiniband');
  assert.equal(neverFits(spec(gang), hosts.slice(1)), 'asks 8 GPUs on each of 3 hosts with label infiniband; only 2 hosts have that many (ib-2 and ib-3)');
});

test('a job that needs no label leaves labelled hosts to the jobs that do', () => {
  const hosts = [host({ name: 'a-ib', gpus: 8, labels: ['infiniband'] }), host({ name: 'b-plain', gpus: 8 })];
  const result = placeJobs(snapshot(hosts), [queued('j1', 1, { resources: { gpus: { count: 8 } } })]);
  assert.equal(startOf(result, 'j1')?.hosts[0]?.hostId, 'id-b-plain');
});

test('GPU models: a filter picks matching cards on mixed hosts; an absent model is refused with the models there', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 4, model: 'NVIDIA GeForce RTX 4090' }), host({ name: 'gpu-b', gpus: 2, model: 'NVIDIA A100-SXM4-80GB' })];
  const result = placeJobs(snapshot(hosts), [queued('j1', 1, { resources: { gpus: { count: 2, model: 'a100' } } })]);
  assert.equal(startOf(result, 'j1')?.hosts[0]?.hostId, 'id-gpu-b');
  assert.equal(
    neverFits(spec({ resources: { gpus: { count: 1, model: 'H100' } } }), hosts),
    'asks 1 H100 GPU on one host; no host has H100 GPUs (models here: NVIDIA A100-SXM4-80GB and NVIDIA GeForce RTX 4090)',
  );
  assert.equal(neverFits(spec({ resources: { gpus: { count: 3, model: 'A100' } } }), hosts), 'asks 3 A100 GPUs on one host; the largest host has 2 (gpu-b)');
});

test('on a host with mixed cards, a job gets cards of one model where one model has enough', () => {
  const mixed = host({ name: 'gpu-a', gpus: 6 });
  mixed.gpus = mixed.gpus.map((gpu) => ({ ...gpu, model: gpu.index < 2 ? 'NVIDIA A100-SXM4-80GB' : 'NVIDIA GeForce RTX 4090' }));
  const given = (count: number) => startOf(placeJobs(snapshot([mixed]), [queued('j', 1, { resources: { gpus: { count } } })]), 'j')?.hosts[0]?.gpus;
  assert.deepEqual(given(2), [0, 1], 'the smaller group that has enough');
  assert.deepEqual(given(3), [2, 3, 4]);
  assert.deepEqual(given(5), [0, 1, 2, 3, 4], 'no one model has five');
});

test('CPUs and memory are per host and never over-committed', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8, cpus: 16, memoryGiB: 64 })];
  const result = placeJobs(snapshot(hosts), [
    queued('j1', 1, { resources: { cpus: 12, memoryBytes: 32 * 1024 ** 3, gpus: { count: 1 } } }),
    queued('j2', 2, { resources: { cpus: 8, gpus: { count: 1 } } }),
  ]);
  assert.ok(startOf(result, 'j1'));
  assert.match(reasonOf(result, 'j2')?.message ?? '', /^needs 8 CPUs and 1 GiB of memory on one host; no host has that free now \(most CPUs free: 4 on gpu-a; most memory free: 32 GiB on gpu-a\)/);
  assert.equal(neverFits(spec({ resources: { cpus: 32 } }), hosts), 'asks 32 CPUs on one host; the largest host has 16 (gpu-a)');
  assert.equal(neverFits(spec({ resources: { memoryBytes: 128 * 1024 ** 3 } }), hosts), 'asks 128 GiB of memory on one host; the largest host has 64 GiB (gpu-a)');
});

test('only healthy hosts get jobs; a job past its time limit still holds its GPUs', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 2, state: 'draining' }), host({ name: 'gpu-b', gpus: 2 })];
  const result = placeJobs(snapshot(hosts, [holding('late', 'gpu-b', [0], now - 1000)]), [queued('j1', 1, { resources: { gpus: { count: 2 } } })]);
  assert.equal(result.starts.length, 0);
  assert.match(reasonOf(result, 'j1')?.message ?? '', /^needs 2 GPUs on one host; the largest free set is 1 on gpu-b/);
});

test('fair share: the project using the fewest GPUs for its share goes first, whoever submitted first', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8 })];
  const allocations = [holding('r1', 'gpu-a', [0, 1, 2, 3], null, 'vision')];
  const queue = [
    queued('vision-2', 1, { project: 'vision', resources: { gpus: { count: 4 } } }),
    queued('nlp-1', 2, { project: 'nlp', resources: { gpus: { count: 4 } } }),
  ];
  const result = placeJobs(snapshot(hosts, allocations), queue);
  assert.deepEqual(result.starts.map((start) => start.jobId), ['nlp-1']);
  // With twice the share, vision may hold twice the GPUs before it yields.
  const weighted = placeJobs(snapshot(hosts, [...allocations, holding('r2', 'gpu-a', [4], null, 'nlp')]), queue, { projectShares: { vision: 8 } });
  assert.deepEqual(weighted.starts.map((start) => start.jobId), []);
  assert.equal(weighted.pending[0]?.jobId, 'vision-2');
});

test('within a project, higher priority first, then submit order; a lower one waits behind a blocked higher one', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8 })];
  const queue = [
    queued('low', 1, { priority: -5, resources: { gpus: { count: 4 } } }),
    queued('high', 2, { priority: 50, resources: { gpus: { count: 8 } } }),
    queued('later', 3, { priority: -5, resources: { gpus: { count: 4 } } }),
  ];
  const result = placeJobs(snapshot(hosts, [holding('r1', 'gpu-a', [0, 1, 2, 3])]), queue);
  assert.deepEqual(result.pending.map((entry) => entry.jobId), ['high', 'low', 'later']);
  assert.equal(result.starts.length, 0);
  assert.deepEqual(result.pending[0]?.reservation?.fromMs, null, 'high holds the host once the open-ended job ends');
  assert.equal(reasonOf(result, 'low')?.message, 'waiting behind higher-priority job high');
  assert.equal(reasonOf(result, 'low')?.blockedBy, 'high');
  assert.match(reasonOf(result, 'later')?.message ?? '', /^waiting behind higher-priority job high/);
});

test('backfill: a small job starts ahead of a blocked large one only if its time limit ends before the reserved start', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8 })];
  const allocations = [holding('r1', 'gpu-a', [0, 1, 2, 3], now + hour)];
  const result = placeJobs(snapshot(hosts, allocations), [
    queued('big', 1, { timeLimitMs: 2 * hour, resources: { gpus: { count: 8 } } }),
    queued('long', 2, { timeLimitMs: 2 * hour, resources: { gpus: { count: 4 } } }),
    queued('open-ended', 3, { resources: { gpus: { count: 1 } } }),
    queued('short', 4, { timeLimitMs: hour / 2, resources: { gpus: { count: 4 } } }),
  ]);
  assert.deepEqual(result.starts.map((start) => start.jobId), ['short']);
  const big = result.pending.find((entry) => entry.jobId === 'big');
  assert.deepEqual(big?.reservation?.fromMs, now + hour);
  assert.equal(big?.reason.expectedStartMs, now + hour);
  assert.equal(big?.reason.message, 'needs 8 GPUs on one host; the largest free set is 4 on gpu-a; expected to start within 1h');
  assert.equal(reasonOf(result, 'long')?.message, 'waiting behind job big, submitted earlier; expected to start within 3h');
  assert.equal(reasonOf(result, 'open-ended')?.message, 'waiting behind job big, submitted earlier; expected to start within 3h');
});

test('without time limits, a blocked job keeps its hosts from backfill; other hosts stay usable', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8 }), host({ name: 'gpu-b', gpus: 2 })];
  const result = placeJobs(snapshot(hosts, [holding('r1', 'gpu-a', [0, 1])]), [
    queued('big', 1, { resources: { gpus: { count: 8 } } }),
    queued('small', 2, { timeLimitMs: 60_000, resources: { gpus: { count: 2 } } }),
    queued('small-2', 3, { timeLimitMs: 60_000, resources: { gpus: { count: 2 } } }),
  ]);
  assert.equal(result.pending[0]?.reservation?.fromMs, null);
  assert.deepEqual(result.starts.map((start) => [start.jobId, start.hosts[0]?.hostId]), [['small', 'id-gpu-b']]);
  assert.equal(reasonOf(result, 'small-2')?.kind, 'behind');
});

test('reasons name what is missing when no healthy host qualifies', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 8 }), host({ name: 'gpu-c', gpus: 8, labels: ['infiniband'], state: 'unreachable' })];
  const result = placeJobs(snapshot(hosts), [queued('j1', 1, { constraints: { labels: ['infiniband'] }, resources: { gpus: { count: 1 } } })]);
  assert.deepEqual(reasonOf(result, 'j1'), {
    kind: 'no-eligible-host',
    message: 'needs 1 GPU on one host with label infiniband; no healthy host has label infiniband; gpu-c is unreachable',
  });
  assert.equal(neverFits(spec({ resources: { gpus: { count: 100, spread: true } } }), hosts), 'asks 100 GPUs across hosts; the cluster has 16 in all');
  assert.equal(neverFits(spec({ resources: { gpus: { perHost: 0, hosts: 3 } } }), hosts), 'asks 3 hosts with 1 CPU and 1 GiB of memory each; only 2 hosts qualify (gpu-a and gpu-c)');
});

test('the reservation depth bounds how many blocked jobs hold resources', () => {
  const hosts = [host({ name: 'gpu-a', gpus: 4 })];
  const queue = Array.from({ length: 5 }, (_, n) => queued(`j${n}`, n, { timeLimitMs: hour, resources: { gpus: { count: 4 } } }));
  const result = placeJobs(snapshot(hosts, [holding('r1', 'gpu-a', [0], now + hour)]), queue, { reservationDepth: 2 });
  assert.deepEqual(result.pending.map((entry) => entry.reservation?.fromMs), [now + hour, now + 2 * hour, undefined, undefined, undefined]);
});
