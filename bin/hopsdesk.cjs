#!/usr/bin/env node
// Entry of the `hopsdesk` command. Hopsdesk runs on the Node it pins as a dependency;
// when started by an older system Node, hand over to the pinned one.
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 14)) {
  const pinned = path.join(__dirname, '..', 'node_modules', 'node', 'bin', 'node');
  const child = spawn(pinned, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl+C and service managers signal this process; the pinned one must hear it too.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', () => {
    process.stderr.write(
      `error: Hopsdesk needs Node >= 22.14 and this is ${process.versions.node}.\n` +
        '  Run `npm install` in the Hopsdesk folder to get the pinned runtime.\n',
    );
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code === null ? (signal ? 128 : 1) : code));
} else {
  // Cache compiled code (and stripped TypeScript) between runs: start-up is most of a CLI call.
  require('node:module').enableCompileCache?.();
  import(entry()).then(
    async ({ runCli }) => {
      process.exitCode = await runCli(process.argv.slice(2));
    },
    (err) => {
      process.stderr.write(`error: Hopsdesk failed to load: ${err && err.message}\n`);
      process.exit(1);
    },
  );
}

/**
 * The bundled CLI (dist/cli, built by `npm run build`) while it is newer than every source
 * it was built from, else the TypeScript sources themselves: never stale, fast when built.
 */
function entry() {
  const fs = require('node:fs');
  const root = path.join(__dirname, '..');
  const sources = '../main/cli/main.ts';
  let built;
  try {
    built = fs.statSync(path.join(root, 'dist', 'cli', 'hopsdesk.mjs')).mtimeMs;
  } catch {
    return sources;
  }
  for (const dir of ['main', 'protocol']) {
    for (const file of fs.readdirSync(path.join(root, dir), { recursive: true })) {
      if (file.endsWith('.ts') && fs.statSync(path.join(root, dir, file)).mtimeMs > built) return sources;
    }
  }
  return '../dist/cli/hopsdesk.mjs';
}
