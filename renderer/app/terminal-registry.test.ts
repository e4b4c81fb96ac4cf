import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flush } from '../testing/fake-hops.ts';
import { chunkText, clampTerminalSize, createTerminalRegistry, exitLine, type TerminalTransport } from './terminal-registry.ts';

function setup(options: { historyLimit?: number; chunkSize?: number; write?: TerminalTransport['write'] } = {}) {
  const sent: string[] = [];
  const errors: string[] = [];
  const transport: TerminalTransport = {
    write: options.write ?? (async (id, data) => void sent.push(`write ${id} ${data}`)),
    resize: async (id, cols, rows) => void sent.push(`resize ${id} ${cols}x${rows}`),
    close: async (id) => void sent.push(`close ${id}`),
  };
  const registry = createTerminalRegistry({ transport, onError: (id, action) => errors.push(`${action} ${id}`), ...options });
  const screen = () => {
    const lines: string[] = [];
    return { sink: { write: (data: string) => lines.push(data) }, text: () => lines.join('') };
  };
  return { registry, sent, errors, screen };
}

describe('terminal registry', () => {
  it('replays output that came before the view, then streams', () => {
    const { registry, screen } = setup();
    registry.register('t1');
    registry.output('t1', 'login: ');
    const view = screen();
    const detach = registry.attach('t1', view.sink);
    registry.output('t1', 'ok\r\n');
    assert.equal(view.text(), 'login: ok\r\n');
    detach();
    registry.output('t1', 'more');
    assert.equal(view.text(), 'login: ok\r\n');
    const again = screen();
    registry.attach('t1', again.sink);
    assert.equal(again.text(), 'login: ok\r\nmore');
  });

  it('keeps output that arrived before the terminal was registered', () => {
    const { registry, screen } = setup();
    registry.output('t1', 'early ');
    registry.register('t1');
    const view = screen();
    registry.attach('t1', view.sink);
    assert.equal(view.text(), 'early ');
  });

  it('keeps only the newest output when over its limit', () => {
    const { registry, screen } = setup({ historyLimit: 10 });
    registry.register('t1');
    registry.output('t1', '0123456789');
    registry.output('t1', 'abcdef');
    const view = screen();
    registry.attach('t1', view.sink);
    assert.equal(view.text(), 'abcdef');
    registry.output('t1', 'x'.repeat(25));
    const big = screen();
    registry.attach('t1', big.sink);
    assert.equal(big.text(), 'x'.repeat(10));
  });

  it('sends keystrokes in order, a long paste in pieces', async () => {
    const { registry, sent } = setup({ chunkSize: 4 });
    registry.register('t1');
    registry.input('t1', 'ls');
    registry.input('t1', 'abcdefghij');
    await flush();
    assert.deepEqual(sent, ['write t1 ls', 'write t1 abcd', 'write t1 efgh', 'write t1 ij']);
  });

  it('says the exit code once and sends nothing after it', async () => {
    const { registry, sent, screen } = setup();
    registry.register('t1');
    const view = screen();
    registry.attach('t1', view.sink);
    registry.exit('t1', 3);
    registry.exit('t1', 3);
    registry.input('t1', 'x');
    registry.resize('t1', 80, 24);
    registry.close('t1');
    await flush();
    assert.equal(view.text(), `\r\n${exitLine(3)}\r\n`);
    assert.equal(exitLine(3), '[exited with code 3]');
    assert.equal(exitLine(null), '[exited]');
    assert.deepEqual(sent, []);
  });

  it('closes a running shell after the keys already sent, and forgets it', async () => {
    const { registry, sent } = setup();
    registry.register('t1');
    registry.input('t1', 'exit\r');
    registry.close('t1');
    await flush();
    assert.deepEqual(sent, ['write t1 exit\r', 'close t1']);
    assert.equal(registry.isRegistered('t1'), false);
  });

  it('reports failed writes and keeps going', async () => {
    let calls = 0;
    const { registry, errors } = setup({
      write: async () => {
        calls += 1;
        if (calls === 1) throw new Error('gone');
      },
    });
    registry.register('t1');
    registry.input('t1', 'a');
    registry.input('t1', 'b');
    await flush();
    assert.deepEqual(errors, ['write t1']);
    assert.equal(calls, 2);
  });

  it('clamps sizes to what the contract accepts', async () => {
    const { registry, sent } = setup();
    registry.register('t1');
    registry.resize('t1', 1, 0);
    registry.resize('t1', 5000.7, 80.2);
    await flush();
    assert.deepEqual(sent, ['resize t1 2x1', 'resize t1 1000x80']);
    assert.deepEqual(clampTerminalSize(Number.NaN, 24), { cols: 2, rows: 24 });
  });

  it('never splits a surrogate pair between pieces', () => {
    const text = `ab😀cd`;
    const pieces = chunkText(text, 3);
    assert.equal(pieces.join(''), text);
    assert.deepEqual(pieces, ['ab', '😀c', 'd']);
  });
});
