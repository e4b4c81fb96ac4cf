import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createNativeFileHandlers, localNameOf } from './native-files.ts';
import type { InvokeFacts } from './sender.ts';

const ours: InvokeFacts = { sender: { id: 1 }, senderFrame: null };
const stranger: InvokeFacts = { sender: { id: 2 }, senderFrame: null };
const temp = await mkdtemp(path.join(os.tmpdir(), 'native-files-'));
after(() => rm(temp, { recursive: true, force: true }));

function handlers(overrides: { save?: string | null } = {}) {
  const calls: Array<[string, unknown]> = [];
  const dragged: string[] = [];
  const h = createNativeFileHandlers({
    senderProblem: (event) => (event === ours ? undefined : 'the call came from another window'),
    showSaveDialog: async (name) => {
      calls.push(['save', name]);
      return overrides.save === undefined ? path.join(temp, name) : overrides.save;
    },
    dispatch: async (method, params) => {
      calls.push([method, params]);
      await writeFile((params as { localFile: string }).localFile, 'bytes');
      return {};
    },
    tempRoot: temp,
    startDrag: async (_event, file) => {
      dragged.push(file);
    },
  });
  return { h, calls, dragged };
}

describe('native file calls', () => {
  it('refuse a caller that is not our window, before looking at the request', async () => {
    const { h, calls } = handlers();
    await assert.rejects(h.chooseSaveFile(stranger, { suggestedName: 'a.csv' }), /Refused chooseSaveFile: the call came from another window/);
    await assert.rejects(h.dragOut(stranger, 'anything'), /FORBIDDEN|Refused dragOut/);
    assert.deepEqual(calls, []);
  });

  it('validate the request and answer a bad one with the field named', async () => {
    const { h } = handlers();
    const bad = await h.dragOut(ours, { path: '/Projects/p/d/a', extra: true });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.code, 'VALIDATION');
    const long = await h.chooseSaveFile(ours, { suggestedName: 'x'.repeat(300) });
    assert.equal(!long.ok && long.error.field, '/suggestedName');
  });

  it('open the save dialog on a safe name; cancelling answers null', async () => {
    const { h, calls } = handlers({ save: null });
    assert.deepEqual(await h.chooseSaveFile(ours, { suggestedName: 'a:b?.csv' }), { ok: true, value: null });
    assert.deepEqual(calls, [['save', 'a_b_.csv']]);
  });

  it('drag out: download into a fresh temporary folder first, then start the drag of that file', async () => {
    const { h, calls, dragged } = handlers();
    const reply = await h.dragOut(ours, { cluster: 'local', path: '/Projects/p/d/report.csv' });
    assert.deepEqual(reply, { ok: true, value: null });
    const [method, params] = calls[0]!;
    assert.equal(method, 'dataset.get');
    const localFile = (params as { localFile: string }).localFile;
    assert.equal(path.basename(localFile), 'report.csv');
    assert.ok(path.dirname(localFile).startsWith(path.join(temp, 'hopsdesk-drag-')));
    assert.deepEqual(dragged, [localFile]);
    assert.ok(existsSync(localFile));
  });

  it('make local names safe on every OS', () => {
    assert.equal(localNameOf('/Projects/p/d/a<b>|c'), 'a_b__c');
    assert.equal(localNameOf('/Projects/p/d/...'), 'download');
    assert.equal(localNameOf('/Projects/p/d/x.'), 'x');
  });
});
