import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminUserName } from './admin-user.ts';

test('login names become head user names', () => {
  assert.equal(adminUserName('ana'), 'ana');
  assert.equal(adminUserName('Ana.Lopez'), 'ana.lopez');
  assert.equal(adminUserName('DOMAIN\\bob smith'), 'domain_bob_smith');
  assert.equal(adminUserName('1337'), '_1337');
  assert.equal(adminUserName(''), 'admin');
});
