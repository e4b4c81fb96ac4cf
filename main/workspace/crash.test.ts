/**
 * Durability under sudden death: a writer process is killed with SIGKILL at a random
 * point after it acknowledged some commits, fifty times over the same database. After
 * every round the file must pass `integrity_check` and hold every acknowledged cluster
 * with both of its hosts. (A killed process loses nothing the OS already has; power loss
 * is what `synchronous=FULL` adds on top, and no test here can pull the plug.)
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './fixtures.ts';
import { WORKSPACE_DB } from './workspace.ts';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-writer.ts');
const ROUNDS = 50;
/** The kill comes after 1 to this many acknowledgements; more lines may arrive after it. */
const MAX_ACKS_BEFORE_KILL = 40;

interface Round {
  acknowledged: string[];
  stderr: string;
  signal: NodeJS.Signals | null;
}

/**
 * Runs the writer until it has acknowledged `killAfter` clusters, then kills it. Node's
 * compile cache, shared by the rounds, keeps fifty start-ups from dominating the test.
 */
function runRound(dir: string, round: number, killAfter: number, compileCache: string): Promise<Round> {
  const child = spawn(process.execPath, [writer, dir, String(round)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
  });
  const acknowledged: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    acknowledged.push(line);
    if (acknowledged.length === killAfter) child.kill('SIGKILL');
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const drained = new Promise<void>((resolve) => lines.on('close', resolve));
  return Promise.all([exited, drained]).then(([signal]) => ({ acknowledged, stderr, signal }));
}

test(`${ROUNDS} SIGKILLs mid-write lose no acknowledged commit and never corrupt the file`, { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const compileCache = tempDir(t);
  const file = path.join(dir, WORKSPACE_DB);
  let acknowledged = 0;
  let lost = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const killAfter = 1 + Math.floor(Math.random() * MAX_ACKS_BEFORE_KILL);
    const result = await runRound(dir, round, killAfter, compileCache);
    assert.equal(result.signal, 'SIGKILL', `round ${round}: the writer ended on its own:\n${result.stderr}`);
    assert.ok(result.acknowledged.length >= killAfter, `round ${round}: ${result.acknowledged.length} acknowledged`);

    const db = new Database(file);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}`);
      const hostsOf = db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM cluster_hosts h JOIN clusters c ON c.id = h.cluster_id WHERE c.name = ?',
      );
      const present = db.prepare<[string], { name: string }>('SELECT name FROM clusters WHERE name = ?');
      for (const name of result.acknowledged) {
        if (!present.get(name) || hostsOf.get(name)!.n !== 2) lost++;
      }
    } finally {
      db.close();
    }
    acknowledged += result.acknowledged.length;
  }
  t.diagnostic(`crash test: ${ROUNDS} rounds, ${acknowledged} acknowledged clusters (each with 2 hosts), ${lost} lost`);
  assert.equal(lost, 0);
});
