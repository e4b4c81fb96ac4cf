/**
 * A process that starts a local agent in `dir` and prints its pid, then waits to be killed:
 * the parent that local-agent.test.ts takes away.
 */
import { compileCoreOptions } from '../core/options.ts';
import { LocalAgent } from '../cluster/local-agent.ts';

const dir = process.argv[2]!;
const config = compileCoreOptions({ mode: 'cli', workspaceDir: dir });
const agent = new LocalAgent({ dir, nodePath: config.nodePath, bundlePath: config.agentBundlePath, log: () => undefined });
await agent.connectOrStart();
const run = JSON.parse(await (await import('node:fs/promises')).readFile(`${dir}/run.json`, 'utf8')) as { pid: number };
process.stdout.write(`${run.pid}\n`);
setInterval(() => undefined, 60_000);
