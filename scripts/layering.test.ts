/**
 * The import rules of the repository, checked on every run (VS Code's layer lint, as a test):
 * protocol/ imports no runtime, renderer/ never reaches into main/ or Node, and only the
 * Electron shell (main/electron/) and the preload may import `electron`.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirs = ['protocol', 'main', 'preload', 'renderer', 'cluster-agent', 'e2e', 'bench', 'scripts'];

interface ImportSite {
  file: string;
  specifier: string;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|cts|js|cjs|mjs)$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .filter((f) => !f.includes('node_modules'));
}

/** Static imports, re-exports, dynamic imports and require() calls. */
export function importsOf(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((m) => m[1]!);
}

async function allImports(): Promise<ImportSite[]> {
  const sites: ImportSite[] = [];
  for (const dir of sourceDirs) {
    for (const file of await sourceFiles(dir)) {
      const source = await readFile(path.join(root, file), 'utf8');
      for (const specifier of importsOf(source)) sites.push({ file, specifier });
    }
  }
  return sites;
}

const isNodeBuiltin = (s: string) =>
  s.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto', 'url'].includes(s.split('/')[0]!);
const resolvesInto = (site: ImportSite, dir: string) =>
  site.specifier.startsWith('.') && path.resolve(root, path.dirname(site.file), site.specifier).startsWith(path.join(root, dir) + path.sep);

const sites = await allImports();
const describeSites = (list: ImportSite[]) => list.map((s) => `${s.file} → ${s.specifier}`).join('\n');

test('the import scanner sees every kind of import', () => {
  const source = `import a from 'a'; import type { B } from "b"; export * from './c.ts'; await import('d'); require('e'); import 'f';`;
  assert.deepEqual(importsOf(source), ['a', 'b', './c.ts', 'd', 'e', 'f']);
});

test('protocol/ imports no runtime: no electron, no node:*, nothing outside protocol/ but typebox', () => {
  const bad = sites.filter(
    (s) =>
      s.file.startsWith('protocol/') &&
      !s.file.endsWith('.test.ts') &&
      !(s.specifier.startsWith('./') || s.specifier === '../package.json' || s.specifier.startsWith('@sinclair/typebox')),
  );
  assert.equal(bad.length, 0, `protocol/ must stay plain:\n${describeSites(bad)}`);
});

test('renderer/ never imports main/, electron, Node built-ins or server-side libraries', () => {
  const forbidden = new Set(['electron', 'ssh2', 'better-sqlite3', 'fastify', 'ws', '@duckdb/node-api']);
  // Unit tests of renderer logic run under node:test and may use its runner and assertions.
  const testRunnerOnly = (s: ImportSite) => s.file.endsWith('.test.ts') && /^node:(test|assert)/.test(s.specifier);
  const bad = sites.filter(
    (s) =>
      s.file.startsWith('renderer/') &&
      !testRunnerOnly(s) &&
      (resolvesInto(s, 'main') || resolvesInto(s, 'cluster-agent') || forbidden.has(s.specifier) || isNodeBuiltin(s.specifier)),
  );
  assert.equal(bad.length, 0, `renderer/ reaches past its layer:\n${describeSites(bad)}`);
});

test('only main/electron/ and preload/ import electron', () => {
  const bad = sites.filter(
    (s) =>
      (s.specifier === 'electron' || s.specifier.startsWith('electron/')) &&
      !s.file.startsWith('main/electron/') &&
      !s.file.startsWith('preload/'),
  );
  assert.equal(bad.length, 0, `electron imported outside the shell:\n${describeSites(bad)}`);
});

test('the cluster agent does not depend on the desktop', () => {
  const bad = sites.filter(
    (s) => s.file.startsWith('cluster-agent/') && (resolvesInto(s, 'main') || resolvesInto(s, 'renderer') || s.specifier === 'electron'),
  );
  assert.equal(bad.length, 0, `cluster-agent/ must ship alone:\n${describeSites(bad)}`);
});

test('the scan covered the source tree', () => {
  assert.ok(sites.some((s) => s.file.startsWith('protocol/')), 'protocol/ files were scanned');
  assert.ok(sites.some((s) => s.file.startsWith('main/')), 'main/ files were scanned');
});
