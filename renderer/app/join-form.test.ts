import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CLIENT_PORT, emptyJoinDraft, inviteCommand, isJoinValid, parseJoinCommand, toJoinParams, validateJoinDraft, type JoinDraft } from './join-form.ts';

const code = 'AbCdEfGhIjKlMnOp_qr-12345';
const draft = (patch: Partial<JoinDraft> = {}): JoinDraft => ({ ...emptyJoinDraft(), name: 'lab', head: 'ana@gpu-head', code, user: 'ana', ...patch });

describe('invite command', () => {
  it('is the line hopsdesk project invite prints, with the words the invitee replaces', () => {
    assert.equal(
      inviteCommand({ code, headAddress: '10.0.0.5', clientPort: 7870 }),
      `hopsdesk cluster join NAME --head THEIR_USER@10.0.0.5 --client-port 7870 --invite ${code} --user THEIR_NAME`,
    );
  });
});

describe('join form', () => {
  it('starts with the default client port and is valid once filled in', () => {
    assert.equal(emptyJoinDraft().clientPort, String(DEFAULT_CLIENT_PORT));
    assert.deepEqual(validateJoinDraft(draft()), {});
    assert.equal(isJoinValid(validateJoinDraft(draft())), true);
  });

  it('names each problem next to its field', () => {
    const errors = validateJoinDraft(emptyJoinDraft(), []);
    assert.deepEqual(Object.keys(errors).sort(), ['code', 'head', 'name', 'user']);
    assert.equal(isJoinValid(errors), false);
    assert.match(validateJoinDraft(draft({ name: 'local' }), ['local']).name ?? '', /exists already/);
    assert.match(validateJoinDraft(draft({ head: 'gpu-head' })).head ?? '', /user name/);
    assert.match(validateJoinDraft(draft({ head: '@gpu-head' })).head ?? '', /your own SSH login/);
    assert.match(validateJoinDraft(draft({ clientPort: '70000' })).clientPort ?? '', /1 to 65535/);
    assert.match(validateJoinDraft(draft({ code: 'short' })).code ?? '', /16 to 200/);
    assert.match(validateJoinDraft(draft({ code: `${code}!` })).code ?? '', /exactly/);
    assert.match(validateJoinDraft(draft({ user: 'Ana' })).user ?? '', /lowercase/);
    assert.match(validateJoinDraft(draft({ keyFile: '  ' })).keyFile ?? '', /path of a private key/);
  });

  it('becomes a cluster.join request with only what was filled in', () => {
    assert.deepEqual(toJoinParams(draft({ name: ' lab ', code: ` ${code} `, clientPort: '' })), {
      name: 'lab',
      head: 'ana@gpu-head',
      code,
      user: 'ana',
      clientPort: DEFAULT_CLIENT_PORT,
    });
    const fp = `SHA256:${'a'.repeat(43)}`;
    assert.deepEqual(toJoinParams(draft({ clientPort: '7900', keyFile: '~/.ssh/lab', passphrase: 'pw' }), [fp, fp]), {
      name: 'lab',
      head: 'ana@gpu-head',
      code,
      user: 'ana',
      clientPort: 7900,
      keyFile: '~/.ssh/lab',
      passphrase: 'pw',
      acceptHostKeys: [fp],
    });
  });

  it('fills the form from a pasted invite command, leaving the placeholders for the invitee', () => {
    const command = inviteCommand({ code, headAddress: 'gpu-head.lab', clientPort: 7871 });
    assert.deepEqual(parseJoinCommand(command), { head: '@gpu-head.lab', clientPort: '7871', code });
    assert.deepEqual(parseJoinCommand(`$ ${command}`, { head: 'ana@old-host' })?.head, 'ana@gpu-head.lab');
    assert.deepEqual(parseJoinCommand(`hopsdesk cluster join lab --head bob@h1 --invite ${code} --user bob`), {
      name: 'lab',
      head: 'bob@h1',
      code,
      user: 'bob',
    });
    assert.equal(parseJoinCommand(code), null);
  });
});
