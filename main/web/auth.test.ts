import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cookieName, hostAllowed, newSessionToken, originAllowed, presentedToken, tokensEqual } from './auth.ts';

test('session tokens are long and unique', () => {
  const a = newSessionToken();
  assert.ok(a.length >= 43);
  assert.notEqual(a, newSessionToken());
});

test('tokens compare exactly', () => {
  assert.equal(tokensEqual('abc', 'abc'), true);
  assert.equal(tokensEqual('abd', 'abc'), false);
  assert.equal(tokensEqual('ab', 'abc'), false);
  assert.equal(tokensEqual(undefined, 'abc'), false);
});

test('the token comes from a bearer header or this port’s cookie only', () => {
  assert.equal(presentedToken({ authorization: 'Bearer t1' }, 80), 't1');
  assert.equal(presentedToken({ cookie: `other=1; ${cookieName(80)}=t2` }, 80), 't2');
  assert.equal(presentedToken({ cookie: `${cookieName(81)}=t3` }, 80), undefined);
  assert.equal(presentedToken({}, 80), undefined);
});

test('only loopback hosts and origins of our port are allowed', () => {
  assert.equal(hostAllowed('127.0.0.1:5000', 5000), true);
  assert.equal(hostAllowed('localhost:5000', 5000), true);
  assert.equal(hostAllowed('evil.example:5000', 5000), false);
  assert.equal(hostAllowed(undefined, 5000), false);
  assert.equal(originAllowed('http://127.0.0.1:5000', 5000), true);
  assert.equal(originAllowed('http://127.0.0.1:5001', 5000), false);
  assert.equal(originAllowed('https://evil.example', 5000), false);
  assert.equal(originAllowed(undefined, 5000), false);
});
