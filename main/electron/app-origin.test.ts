import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_ENTRY_URL, isAppUrl, isExternalLink } from './app-origin.ts';

test('only the app origin counts as the app', () => {
  for (const url of [APP_ENTRY_URL, 'app://hopsdesk/', 'app://hopsdesk/assets/index-3f2a.js?x=1#top']) {
    assert.equal(isAppUrl(url), true, url);
  }
  for (const url of [
    'app://other/index.html',
    'app://hopsdesk.evil.com/',
    'app://user@hopsdesk/',
    'app://hopsdesk:8080/',
    'file:///index.html',
    'https://hopsdesk/',
    'http://127.0.0.1:3000/',
    'javascript:alert(1)',
    'about:blank',
    'not a url',
    '',
  ]) {
    assert.equal(isAppUrl(url), false, url);
  }
});

test('only https links may leave for the OS browser', () => {
  assert.equal(isExternalLink('https://docs.hops.works/guide'), true);
  for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://share/x', 'https://user:pw@example.com/', 'app://hopsdesk/', 'nonsense']) {
    assert.equal(isExternalLink(url), false, url);
  }
});
