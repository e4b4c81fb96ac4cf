/** Makes sure the agent bundle exists before a test starts a local cluster from it. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const agentBundle = path.join(repoRoot, 'dist', 'agent', 'hopsdesk-agent.mjs');

/** Builds `dist/agent` once when it is missing (a fresh clone running one test file). */
export async function ensureAgentBundle(): Promise<void> {
  if (existsSync(agentBundle)) return;
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts', 'build.ts'), 'agent'], { cwd: repoRoot });
}

/** Builds the agent as another version into `outfile`: "the next build" for upgrade tests. */
export async function buildAgentVersion(version: string, outfile: string): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts', 'build.ts'), 'agent'], {
    cwd: repoRoot,
    env: { ...process.env, HOPSDESK_BUILD_VERSION: version, HOPSDESK_AGENT_OUTFILE: outfile },
  });
}
