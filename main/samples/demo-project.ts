/**
 * The sample project of the local cluster: `demo`, with the dataset `penguins` (the Palmer
 * Penguins measurements, CC0, as CSV and as Parquet made by DuckDB, with their licence),
 * so a new user has real data to explore and preview. It is put on the cluster once: the
 * workspace remembers it, so a user who deletes it does not get it back.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import { fsRoutes, type FileStat } from '../../protocol/fs.ts';
import { projectRoutes } from '../../protocol/projects.ts';
import type { AgentClient } from '../cluster/agent-client.ts';
import { LOCAL_CLUSTER, type Clusters } from '../cluster/clusters.ts';
import { uploadFile } from '../cluster/transfers.ts';
import { sqlString } from '../previews/duckdb.ts';
import type { PreviewTools } from '../previews/preview-file.ts';
import type { Workspace } from '../workspace/workspace.ts';

export const demoProject = 'demo';
const dataset = `/Projects/${demoProject}/penguins`;

export interface DemoSeedOptions {
  clusters: Clusters;
  workspace: Workspace;
  tools: PreviewTools;
  /** The app's `resources/samples` folder. */
  samplesDir: string;
}

/**
 * Puts the demo project on the local cluster unless the workspace says it was put there
 * before; resolves with whether it did. Each step accepts what an interrupted earlier
 * run left, so it can run again until it completes once.
 */
export async function seedDemoProject(options: DemoSeedOptions): Promise<boolean> {
  const { clusters, workspace, tools, samplesDir } = options;
  if (workspace.clusters.get(LOCAL_CLUSTER)?.kind !== 'local') return false;
  if (workspace.seededSamples.seededAt(LOCAL_CLUSTER, demoProject) !== undefined) return false;
  const head = (await clusters.ready(LOCAL_CLUSTER)).client();
  await unlessThere('PROJECT_EXISTS', head.call('POST', projectRoutes.projects, {}, { name: demoProject, description: 'Sample data: the Palmer Penguins' }));
  await unlessThere('PATH_EXISTS', head.call<FileStat>('POST', fsRoutes.mkdir, {}, { path: dataset }));
  const csv = path.join(samplesDir, 'penguins', 'penguins.csv');
  await put(head, csv, `${dataset}/penguins.csv`);
  await put(head, path.join(samplesDir, 'LICENSE.md'), `${dataset}/LICENSE.md`);
  await tools.scratch.within('demo', async (dir) => {
    // DuckDB reads only inside scratch space, so the CSV is copied in first.
    const staged = path.join(dir, 'penguins.csv');
    const parquet = path.join(dir, 'penguins.parquet');
    await copyFile(csv, staged);
    await tools.duck.use((connection) => connection.run(`COPY (SELECT * FROM read_csv(${sqlString(staged)})) TO ${sqlString(parquet)} (FORMAT parquet)`));
    await put(head, parquet, `${dataset}/penguins.parquet`);
  });
  workspace.seededSamples.remember(LOCAL_CLUSTER, demoProject);
  return true;
}

async function put(head: AgentClient, localFile: string, fsPath: string): Promise<void> {
  await unlessThere('PATH_EXISTS', uploadFile(head.endpoint, fsPath, localFile, {}, () => undefined));
}

/** Awaits `step`, taking the refusal `code` (it is there already) as done. */
async function unlessThere(code: ErrorCode, step: Promise<unknown>): Promise<void> {
  try {
    await step;
  } catch (err) {
    if (!(err instanceof HopsError) || err.code !== code) throw err;
  }
}
