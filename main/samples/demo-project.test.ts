/**
 * The demo project on a real local agent: put there once with the penguins as CSV and as
 * Parquet (previewable), and not put back after the user deleted it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ListPage } from '../../protocol/fs.ts';
import type { FilePreview } from '../../protocol/previews.ts';
import { projectRoutes, type Project } from '../../protocol/projects.ts';
import { createDispatcher } from '../api/dispatcher.ts';
import { Clusters } from '../cluster/clusters.ts';
import { EventBus } from '../core/event-bus.ts';
import { createHandlers } from '../core/handlers.ts';
import { compileCoreOptions } from '../core/options.ts';
import { OfflineCopies } from '../offline/offline-copies.ts';
import { Duck } from '../previews/duckdb.ts';
import { Scratch } from '../previews/scratch.ts';
import { ClusterAdmin } from '../provision/cluster-admin.ts';
import { createSecretStore } from '../security/secret-store.ts';
import { Terminals } from '../cluster/terminals.ts';
import { LocalShells } from '../terminal/local-shells.ts';
import { ensureAgentBundle, repoRoot } from '../testing/agent-bundle.ts';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { seedDemoProject, type DemoSeedOptions } from './demo-project.ts';

let dir: string;
let workspace: Workspace;
let clusters: Clusters;
let seed: DemoSeedOptions;
let dispatch: (method: string, params: unknown) => Promise<unknown>;
let scratch: Scratch;
let duck: Duck;

before(async () => {
  await ensureAgentBundle();
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-demo-'));
  // The services as the composition root wires them, so the seed can be awaited here.
  const config = compileCoreOptions({ mode: 'web', workspaceDir: dir, log: () => undefined });
  workspace = openWorkspace(dir);
  const bus = new EventBus();
  const secrets = createSecretStore(path.join(dir, 'secrets'));
  clusters = new Clusters(config, workspace, bus, secrets);
  scratch = new Scratch(dir);
  duck = new Duck(scratch.root);
  const tools = { scratch, duck };
  const admin = new ClusterAdmin(config, workspace, clusters, secrets, () => undefined);
  const offline = new OfflineCopies(clusters, workspace, tools, () => undefined);
  const info = { version: '0', mode: 'web' as const, workspaceDir: dir, platform: 'test' };
  const handlers = createHandlers({ info, workspace, clusters, admin, terminals: new Terminals(bus), localShells: new LocalShells(bus, 'web'), sshConfigFile: undefined, bus, previews: tools, offline });
  dispatch = createDispatcher(handlers) as (method: string, params: unknown) => Promise<unknown>;
  await clusters.start();
  seed = { clusters, workspace, tools, samplesDir: path.join(repoRoot, 'resources', 'samples') };
});
after(async () => {
  await clusters?.stop();
  await duck?.close();
  scratch?.close();
  workspace?.close();
  await rm(dir, { recursive: true, force: true });
});

test('the local cluster gets the demo project with the penguins, as CSV and Parquet', async () => {
  assert.equal(await seedDemoProject(seed), true);
  const { projects } = (await dispatch('project.list', {})) as { projects: Project[] };
  assert.deepEqual(projects.map((p) => p.name), ['demo']);
  const me = (await dispatch('project.me', {})) as { name: string };
  assert.deepEqual(projects[0]!.members.map((m) => [m.user, m.role]), [[me.name, 'data-owner']]);
  const { entries } = (await dispatch('dataset.list', { path: '/Projects/demo/penguins' })) as ListPage;
  assert.deepEqual(entries.map((e) => e.name), ['LICENSE.md', 'penguins.csv', 'penguins.parquet']);

  const csv = (await dispatch('dataset.preview', { path: '/Projects/demo/penguins/penguins.csv' })) as FilePreview;
  const parquet = (await dispatch('dataset.preview', { path: '/Projects/demo/penguins/penguins.parquet' })) as FilePreview;
  assert.ok(csv.kind === 'table' && parquet.kind === 'table');
  assert.deepEqual(csv.columns.map((c) => c.name), ['species', 'island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex']);
  assert.deepEqual(parquet.columns, csv.columns);
  assert.equal(csv.totalRows, 344);
  assert.equal(parquet.totalRows, 344);
  assert.deepEqual(parquet.rows.slice(0, 3), csv.rows.slice(0, 3));
  assert.deepEqual(csv.rows[0], ['Adelie', 'Torgersen', 39.1, 18.7, '181', '3750', 'male']);
  const licence = (await dispatch('dataset.preview', { path: '/Projects/demo/penguins/LICENSE.md' })) as FilePreview;
  assert.ok(licence.kind === 'text');
  assert.equal(licence.text, await readFile(path.join(repoRoot, 'resources', 'samples', 'LICENSE.md'), 'utf8'));
});

test('a second start adds nothing, and a deleted demo project stays deleted', async () => {
  assert.equal(await seedDemoProject(seed), false);
  await dispatch('dataset.remove', { path: '/Projects/demo/penguins', recursive: true });
  await (await clusters.ready(undefined)).client().call('DELETE', projectRoutes.project, { project: 'demo' });
  assert.equal(await seedDemoProject(seed), false);
  const { projects } = (await dispatch('project.list', {})) as { projects: Project[] };
  assert.deepEqual(projects, []);
});
