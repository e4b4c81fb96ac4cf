/**
 * The `hopsdesk` command as a user runs it: a separate process, its exit code, stdout and
 * stderr, on the same workspace the app uses.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runHopsdesk } from '../../e2e/fixtures/cli.ts';
import { ensureAgentBundle, repoRoot } from '../testing/agent-bundle.ts';

let workspace: string;

const hopsdesk = runHopsdesk;

before(async () => {
  await ensureAgentBundle();
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-cli-'));
});
after(() => rm(workspace, { recursive: true, force: true }));

test('--version prints the package version, as text and JSON', async () => {
  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal((await hopsdesk(['--version'])).stdout.trim(), `hopsdesk ${pkg.version}`);
  assert.deepEqual(JSON.parse((await hopsdesk(['--version', '--json'])).stdout), { version: pkg.version });
});

test('cluster status starts the local agent for the command and stops it after', async () => {
  const result = await hopsdesk(['cluster', 'status', '--json', '--workspace', workspace]);
  assert.equal(result.code, 0, result.stderr);
  const status = JSON.parse(result.stdout) as { name: string; hosts: { healthy: number }; cpuCores: number };
  assert.equal(status.name, 'local');
  assert.equal(status.hosts.healthy, 1);
  assert.equal(status.cpuCores, os.cpus().length);
  const run = path.join(workspace, 'clusters', 'local', 'agent', 'run.json');
  await assert.rejects(readFile(run), { code: 'ENOENT' }, 'the agent removed its run file on a clean stop');
});

test('cluster hosts prints a table, and JSON with the inventory; HOPSDESK_HOME is honoured', async () => {
  const text = await hopsdesk(['cluster', 'hosts'], { HOPSDESK_HOME: workspace });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^HOST\s+ROLES\s+STATE\s+CORES\s+MEMORY\s+GPUS\s+LABELS\s+OS/);
  assert.match(text.stdout, /head,worker|worker,head/);
  const json = await hopsdesk(['cluster', 'hosts', '--json', '--workspace', workspace]);
  const { hosts } = JSON.parse(json.stdout) as { hosts: Array<{ inventory: { cpu: { cores: number } } }> };
  assert.equal(hosts[0]?.inventory.cpu.cores, os.cpus().length);
});

test('failures go to stderr with a hint and a non-zero exit', async () => {
  const unknown = await hopsdesk(['cluster', 'status', '--cluster', 'nope', '--workspace', workspace]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /No cluster named "nope"/);
  const usage = await hopsdesk(['cluster', 'explode']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Unknown command "cluster explode"/);
  const json = await hopsdesk(['cluster', 'status', '--cluster', '../x', '--json', '--workspace', workspace]);
  assert.equal(json.code, 2);
  assert.equal((JSON.parse(json.stderr) as { error: { field: string } }).error.field, '/cluster');
});

test('while the app runs, the CLI uses the app’s agent and leaves it running', async () => {
  const { startApp } = await import('../../e2e/fixtures/app.ts');
  const app = await startApp();
  try {
    const runFile = path.join(app.workspace, 'clusters', 'local', 'agent', 'run.json');
    const before = JSON.parse(await readFile(runFile, 'utf8')) as { pid: number };
    const result = await hopsdesk(['cluster', 'status', '--json', '--workspace', app.workspace]);
    assert.equal(result.code, 0, result.stderr);
    const after = JSON.parse(await readFile(runFile, 'utf8')) as { pid: number };
    assert.equal(after.pid, before.pid);
    assert.doesNotThrow(() => process.kill(before.pid, 0), 'the app’s agent is still alive');
  } finally {
    await app.stop();
  }
});
