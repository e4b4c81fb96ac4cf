/**
 * Builds everything that does not run straight from TypeScript sources:
 * the agent bundle shipped to hosts, the Electron shell and preload, and the renderer.
 * The desktop core and CLI run from sources on the pinned Node (type stripping).
 */
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
const only = new Set(process.argv.slice(2));
const wants = (target: string) => only.size === 0 || only.has(target);

// A build can be given another version and agent file, e.g. to test an upgrade from one build to the next.
const version = process.env.HOPSDESK_BUILD_VERSION ?? pkg.version;
const agentOutfile = process.env.HOPSDESK_AGENT_OUTFILE ?? path.join(root, 'dist/agent/hopsdesk-agent.mjs');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { HOPSDESK_BUILD_VERSION: JSON.stringify(version) },
} as const;

const started = Date.now();
const steps: Array<Promise<unknown>> = [];

if (wants('agent')) {
  // One self-contained file: a host needs nothing but the Node runtime shipped beside it.
  steps.push(
    build({
      ...common,
      entryPoints: [path.join(root, 'cluster-agent/main.ts')],
      outfile: agentOutfile,
      format: 'esm',
      // Smaller to upload to hosts and quicker to parse at every agent start.
      minify: true,
      // Some fastify dependencies are CommonJS and call require(); give ESM a require.
      banner: { js: "import { createRequire as __hopsCreateRequire } from 'node:module'; const require = __hopsCreateRequire(import.meta.url);" },
    }),
  );
}
if (wants('cli')) {
  // The CLI also runs from sources; this one file only makes start-up cheaper (a few
  // hundred modules loaded as one). bin/hopsdesk.cjs uses it while it is newer than them.
  // It sits two folders below the app root, as main/core/ does, so paths derived from
  // import.meta.url resolve the same in both.
  steps.push(
    build({
      ...common,
      entryPoints: [path.join(root, 'main/cli/main.ts')],
      outfile: path.join(root, 'dist/cli/hopsdesk.mjs'),
      format: 'esm',
      minify: true,
      // Packages with native parts load from node_modules as they are (ssh2's are optional).
      external: ['better-sqlite3', 'ssh2', '@duckdb/node-api', '@lydell/node-pty'],
      banner: { js: "import { createRequire as __hopsCreateRequire } from 'node:module'; const require = __hopsCreateRequire(import.meta.url);" },
    }),
  );
}
if (wants('electron')) {
  steps.push(
    build({
      ...common,
      entryPoints: [path.join(root, 'main/electron/main.ts')],
      outfile: path.join(root, 'dist/electron/main.cjs'),
      format: 'cjs',
      external: ['electron', 'better-sqlite3', 'ssh2', '@duckdb/node-api', '@lydell/node-pty'],
      // CommonJS has no import.meta; give the shared modules this file's own URL.
      banner: { js: "const __hopsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      define: { ...common.define, 'import.meta.url': '__hopsImportMetaUrl' },
    }),
    // Sandboxed preloads are CommonJS and may load no module but electron itself.
    build({
      ...common,
      entryPoints: [path.join(root, 'preload/index.ts')],
      outfile: path.join(root, 'dist/preload/index.cjs'),
      format: 'cjs',
      platform: 'browser',
      external: ['electron'],
    }),
  );
}
if (wants('renderer')) {
  steps.push(viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' }));
}

await Promise.all(steps);
console.log(`built ${only.size ? [...only].join(', ') : 'agent, cli, electron, renderer'} in ${Date.now() - started} ms`);
