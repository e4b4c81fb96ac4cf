import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { parseOsRelease, readOsRelease } from './os-release.ts';

test('parses quoted and unquoted values', () => {
  const entries = parseOsRelease('PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n# comment\nHOME_URL=\'https://x\'\n');
  assert.equal(entries.get('NAME'), 'Ubuntu');
  assert.equal(entries.get('VERSION_ID'), '22.04');
  assert.equal(entries.get('ID'), 'ubuntu');
  assert.equal(entries.get('HOME_URL'), 'https://x');
});

test('falls back to the kernel\'s own names without os-release', async () => {
  assert.deepEqual(await readOsRelease('/nonexistent/os-release'), { name: os.type(), version: os.release() });
});
