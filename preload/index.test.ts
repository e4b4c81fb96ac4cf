/**
 * The preload as it ships: bundled the way scripts/build.ts bundles it, run in a
 * sandbox-like context with a fake `electron` module, with the page in a second context
 * receiving `installHopsApi` as source text the way `executeInMainWorld` sends it.
 */
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { eventNames, listMethods, type HopsApi } from '../protocol/desktop-api.ts';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'index.ts');

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'node22',
    external: ['electron'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

test('the bundled preload installs window.hops and window.hopsDesktop in the page and nothing else', async () => {
  const code = await bundle();
  const page = vm.createContext({ console });
  const invoked: Array<[string, unknown]> = [];
  const exposed = new Map<string, unknown>();
  const fakeElectron = {
    contextBridge: {
      executeInMainWorld: ({ func, args }: { func: (...a: unknown[]) => unknown; args: unknown[] }) => {
        page.__args = args;
        vm.runInContext(`(${func.toString()})(...__args); delete globalThis.__args;`, page);
      },
      exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api),
    },
    webUtils: { getPathForFile: (file: { name: string }) => `/home/ana/${file.name}` },
    ipcRenderer: {
      invoke: async (channel: string, params: unknown) => {
        invoked.push([channel, params]);
        return { ok: true, value: { version: '0.1.0' } };
      },
      on: () => undefined,
    },
  };
  const required: string[] = [];
  const preloadWorld = vm.createContext({ console });
  const run = vm.compileFunction(code, ['require', 'module', 'exports'], { parsingContext: preloadWorld });
  const module = { exports: {} };
  run((name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot load ${name}`);
    return fakeElectron;
  }, module, module.exports);

  assert.deepEqual(required, ['electron']);
  assert.deepEqual(Object.keys(page).sort(), ['console', 'hops']);
  const hops = (page as { hops: HopsApi }).hops;
  assert.equal(Object.keys(hops).length, new Set(listMethods().map(({ name }) => name.split('.')[0])).size + 1);
  assert.deepEqual({ ...(await hops.app.info({})) }, { version: '0.1.0' });
  assert.deepEqual(invoked, [['hops:app.info', {}]]);
  assert.ok(eventNames.length > 0);
  assert.equal(typeof hops.on(eventNames[0]!, () => undefined), 'function');

  // The local-file calls: exactly three, the two IPC ones on their own channels.
  assert.deepEqual([...exposed.keys()], ['hopsDesktop']);
  const native = exposed.get('hopsDesktop') as Record<string, (arg: unknown) => unknown>;
  assert.deepEqual(Object.keys(native).sort(), ['chooseSaveFile', 'dragOut', 'pathForFile']);
  assert.equal(native.pathForFile!({ name: 'a.csv' }), '/home/ana/a.csv');
  await native.dragOut!({ path: '/Projects/p/d/a.csv' });
  assert.deepEqual(invoked.at(-1), ['hops-native:drag-out', { path: '/Projects/p/d/a.csv' }]);
});
