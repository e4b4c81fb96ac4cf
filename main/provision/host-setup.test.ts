import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { archOf } from './bundle.ts';
import { hostIdFor } from './host-setup.ts';
import { shellQuote } from './remote-shell.ts';

test('host ids come from the host part of the target and stay unique', () => {
  assert.equal(hostIdFor('alice@gpu1.lab.example.org', new Set()), 'gpu1');
  assert.equal(hostIdFor('alice@gpu1:2222', new Set()), 'gpu1');
  assert.equal(hostIdFor('alice@10.0.0.7', new Set()), '10.0.0.7');
  assert.equal(hostIdFor('alice@[fe80::1]:22', new Set()), 'fe80--1');
  assert.equal(hostIdFor('bob@gpu1.other', new Set(['gpu1', 'gpu1-2'])), 'gpu1-3');
});

test('shell quoting survives every character a user can type', () => {
  for (const value of ["plain", "it's", 'a "b" $(rm -rf ~) `x` \\ ;|&', 'new\nline', '']) {
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' }), value);
  }
});

test('uname machines map to the runtimes shipped', () => {
  assert.equal(archOf('x86_64'), 'x64');
  assert.equal(archOf('aarch64'), 'arm64');
  assert.equal(archOf('riscv64'), undefined);
});
