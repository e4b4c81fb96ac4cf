/**
 * The victim of crash.test.ts: writes clusters with their hosts through the workspace
 * stores as fast as it can, and prints each cluster's name only after both of its
 * transactions committed. It runs until it is killed.
 *
 * Usage: node crash-writer.ts WORKSPACE_DIR ROUND
 */
import { sampleHost } from './fixtures.ts';
import { openWorkspace } from './workspace.ts';

const [dir, round] = process.argv.slice(2);
if (!dir || !round) throw new Error('usage: crash-writer.ts WORKSPACE_DIR ROUND');

const workspace = openWorkspace(dir);
for (let i = 1; ; i++) {
  const name = `r${round}-${i}`;
  workspace.clusters.create({ name, kind: 'ssh', config: { host: `${name}.lab` } });
  workspace.hosts.replace(name, [sampleHost(`${name}-a`), sampleHost(`${name}-b`)]);
  // Pipes are written synchronously on Linux, so the parent reads this line only after
  // the commit above returned.
  process.stdout.write(`${name}\n`);
}
