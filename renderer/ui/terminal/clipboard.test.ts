import assert from 'node:assert/strict';
import { it } from 'node:test';
import { clipboardShortcut, type ClipboardKey } from './clipboard.ts';

const key = (k: string, mods: Partial<ClipboardKey> = {}): ClipboardKey => ({
  type: 'keydown',
  key: k,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

it('copies on Ctrl+Shift+C, pastes on Ctrl+Shift+V, and leaves Ctrl+C to the shell', () => {
  assert.equal(clipboardShortcut(key('C', { ctrlKey: true, shiftKey: true })), 'copy');
  assert.equal(clipboardShortcut(key('V', { ctrlKey: true, shiftKey: true })), 'paste');
  assert.equal(clipboardShortcut(key('c', { ctrlKey: true })), null);
  assert.equal(clipboardShortcut(key('V', { ctrlKey: true, shiftKey: true, altKey: true })), null);
  assert.equal(clipboardShortcut({ ...key('V', { ctrlKey: true, shiftKey: true }), type: 'keyup' }), null);
});
