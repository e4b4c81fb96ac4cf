import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { parseShellArgs } from './args.ts';

test('the workspace and --json are read wherever they appear, other switches ignored', () => {
  assert.deepEqual(parseShellArgs(['/usr/lib/electron', 'dist/electron/main.cjs']), { workspace: undefined, json: false });
  assert.deepEqual(parseShellArgs(['electron', 'main.cjs', '--workspace', '/tmp/ws', '--json']), { workspace: '/tmp/ws', json: true });
  assert.deepEqual(parseShellArgs(['Hopsdesk', '--no-sandbox', '--workspace=/data/lab', '--enable-logging']), {
    workspace: '/data/lab',
    json: false,
  });
});

test('--workspace without a directory is a usage error', () => {
  for (const argv of [['main.cjs', '--workspace'], ['main.cjs', '--workspace='], ['main.cjs', '--workspace', '--json']]) {
    assert.throws(() => parseShellArgs(argv), (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION', argv.join(' '));
  }
});
