import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import SSHConfig from 'ssh-config';
import { resolveAlias } from './ssh-config.ts';

const config = SSHConfig.parse(`
Host gpu1
  HostName 10.0.0.11
  User alice
  Port 2222
  IdentityFile ~/.ssh/lab_ed25519
  ProxyJump bob@bastion.example.org

Host *.lab
  User carol
`);

test('an alias gives the real address, user, port, key and bastion', () => {
  assert.deepEqual(resolveAlias(config, 'gpu1'), {
    hostName: '10.0.0.11',
    user: 'alice',
    port: 2222,
    identityFiles: [path.join(os.homedir(), '.ssh', 'lab_ed25519')],
    proxyJump: 'bob@bastion.example.org',
  });
});

test('patterns apply, and an unknown host is itself', () => {
  assert.deepEqual(resolveAlias(config, 'node7.lab'), { hostName: 'node7.lab', user: 'carol', identityFiles: [] });
  assert.deepEqual(resolveAlias(undefined, 'plain'), { hostName: 'plain', identityFiles: [] });
});
