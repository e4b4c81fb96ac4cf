import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Layout } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { tempWorkspace } from './fixtures.ts';
import { defaultLayout } from '../../protocol/desktop-api.ts';

test('the layout starts at the defaults and keeps what is saved', (t) => {
  const { layout } = tempWorkspace(t);
  assert.deepEqual(layout.get(), {
    activeView: 'cluster',
    sidebarWidth: 260,
    sidebarVisible: true,
    panelVisible: false,
    panelHeight: 220,
  });
  const saved: Layout = { activeView: 'jobs', sidebarWidth: 300, sidebarVisible: false, panelVisible: true, panelHeight: 400 };
  assert.deepEqual(layout.save(saved), saved);
  assert.deepEqual(layout.get(), saved);
});

test('an invalid layout is refused, naming the field, and the saved one stays', (t) => {
  const { layout } = tempWorkspace(t);
  const cases: Array<[unknown, string]> = [
    [{ ...defaultLayout, sidebarWidth: 5 }, '/sidebarWidth'],
    [{ ...defaultLayout, activeView: 'settings' }, '/activeView'],
    [{ ...defaultLayout, extra: true }, '/extra'],
  ];
  for (const [value, field] of cases) {
    assert.throws(
      () => layout.save(value as Layout),
      (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION' && err.field === field,
      field,
    );
  }
  assert.deepEqual(layout.get(), defaultLayout);
});
