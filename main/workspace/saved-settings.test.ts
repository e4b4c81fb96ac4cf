import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { tempWorkspace } from './fixtures.ts';

test('settings start at their defaults and keep updates', (t) => {
  const { settings } = tempWorkspace(t);
  assert.deepEqual(settings.get(), { theme: 'system' });
  assert.deepEqual(settings.update({ theme: 'dark' }), { theme: 'dark' });
  assert.deepEqual(settings.update({}), { theme: 'dark' }, 'an empty patch changes nothing');
  assert.deepEqual(settings.get(), { theme: 'dark' });
});

test('unknown keys and invalid values are refused and change nothing', (t) => {
  const { settings } = tempWorkspace(t);
  settings.update({ theme: 'light' });
  for (const patch of [{ theme: 'neon' }, { fontSize: 14 }]) {
    assert.throws(
      () => settings.update(patch as never),
      (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION',
      JSON.stringify(patch),
    );
  }
  assert.deepEqual(settings.get(), { theme: 'light' });
});
