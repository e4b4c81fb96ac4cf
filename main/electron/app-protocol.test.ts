import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { appResponseHeaders, resolveAppFile } from './app-protocol.ts';

const root = path.resolve('/srv/hopsdesk/dist/renderer');
const fileOf = (url: string) => {
  const result = resolveAppFile(root, url);
  return result.ok ? result.file : result.status;
};

test('app URLs map onto files inside the renderer folder', () => {
  assert.equal(fileOf('app://hopsdesk/'), path.join(root, 'index.html'));
  assert.equal(fileOf('app://hopsdesk/index.html?reload=1#x'), path.join(root, 'index.html'));
  assert.equal(fileOf('app://hopsdesk/assets/index-3f2a.js'), path.join(root, 'assets', 'index-3f2a.js'));
  assert.equal(fileOf('app://hopsdesk/assets/'), path.join(root, 'assets', 'index.html'));
  assert.equal(fileOf('app://hopsdesk/fonts/Inter%20Var.woff2'), path.join(root, 'fonts', 'Inter Var.woff2'));
});

test('traversal is refused in every spelling, and nothing outside the folder is served', () => {
  // The URL parser already folds plain and %2e dot segments; what survives it is refused.
  const attempts = [
    'app://hopsdesk/..%2f..%2fetc%2fpasswd',
    'app://hopsdesk/assets/..%2F..%2F..%2Fetc/passwd',
    'app://hopsdesk/%2e%2e%2f%2e%2e%2fsecret',
    'app://hopsdesk/a/%2E%2E%2Fb',
    'app://hopsdesk/..%5c..%5cwindows',
    'app://hopsdesk/..\\..\\windows',
    'app://hopsdesk/index.html%00.png',
    'app://hopsdesk/%ZZ',
  ];
  for (const url of attempts) {
    const result = resolveAppFile(root, url);
    assert.equal(result.ok, false, url);
  }
  for (const url of ['app://hopsdesk/../../etc/passwd', 'app://hopsdesk/%2e%2e/%2e%2e/etc/passwd', 'app://hopsdesk/./a/../../b']) {
    const result = resolveAppFile(root, url);
    assert.ok(!result.ok || result.file.startsWith(root + path.sep), `${url} escaped to ${result.ok ? result.file : ''}`);
  }
});

test('other hosts and methods are refused', () => {
  assert.equal(fileOf('app://elsewhere/index.html'), 403);
  assert.equal(fileOf('file:///srv/hopsdesk/dist/renderer/index.html'), 403);
  const post = resolveAppFile(root, 'app://hopsdesk/index.html', 'POST');
  assert.equal(post.ok ? post.file : post.status, 405);
});

test('scripts get an exact JavaScript type, as module scripts under nosniff require', () => {
  const script = resolveAppFile(root, 'app://hopsdesk/assets/index.js');
  assert.ok(script.ok);
  assert.equal(script.contentType, 'text/javascript; charset=utf-8');
  const page = resolveAppFile(root, 'app://hopsdesk/');
  assert.ok(page.ok);
  assert.equal(page.contentType, 'text/html; charset=utf-8');
});

test('every response carries the strict CSP', () => {
  const csp = appResponseHeaders['content-security-policy']!;
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ]) {
    assert.ok(csp.split('; ').includes(directive), directive);
  }
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.equal(appResponseHeaders['x-content-type-options'], 'nosniff');
});
