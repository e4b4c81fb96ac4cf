import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from './errors.ts';
import { fsIsWithin, fsJoin, fsName, fsParent, fsPathProblem, parseFsPath, utf8Length, type FsPathRule } from './fs.ts';

test('valid paths are taken apart by level', () => {
  assert.deepEqual(parseFsPath('/'), { path: '/', names: [], level: 'root', project: undefined, dataset: undefined });
  assert.equal(parseFsPath('/Projects').level, 'projects');
  assert.deepEqual(parseFsPath('/Projects/vision'), { path: '/Projects/vision', names: ['Projects', 'vision'], level: 'project', project: 'vision', dataset: undefined });
  assert.equal(parseFsPath('/Projects/vision/images').dataset, 'images');
  assert.equal(parseFsPath('/Projects/vision/images/cats/1 2 3.jpg').level, 'inside');
  assert.equal(parseFsPath(`/Projects/p/d/${'日'.repeat(85)}`).level, 'inside', '255 bytes of UTF-8 are allowed');
});

test('each broken rule is named, first one first', () => {
  const cases: Array<[string, FsPathRule]> = [
    ['', 'absolute'],
    ['Projects/p', 'absolute'],
    ['../../etc/passwd', 'absolute'],
    [`/Projects/p/d/${'a/'.repeat(2100)}`, 'path-length'],
    // A name too long is named before the whole path's length, which it also breaks.
    [`/Projects/p/d/${'n'.repeat(5000)}`, 'name-length'],
    ['/Projects/p/d/a\u0000', 'no-control-characters'],
    ['/Projects/p/d/\u007f', 'no-control-characters'],
    ['/Projects/p/d/\u0085', 'no-control-characters'],
    ['/Projects/p/d/\udc00x', 'well-formed'],
    ['/Projects//p', 'normalized'],
    ['/Projects/p/', 'normalized'],
    ['/Projects/p/d/..', 'no-dot-segments'],
    ['/Projects/./p', 'no-dot-segments'],
    [`/Projects/p/d/${'日'.repeat(86)}`, 'name-length'],
    [`/Projects/p/d/${Array.from({ length: 62 }, () => 'x').join('/')}`, 'depth'],
    ['/etc/passwd', 'under-projects'],
    ['/projects/p', 'under-projects'],
  ];
  for (const [path, rule] of cases) {
    assert.equal(fsPathProblem(path)?.rule, rule, JSON.stringify(path).slice(0, 80));
    assert.throws(
      () => parseFsPath(path, '/from'),
      (err: unknown) => err instanceof HopsError && err.code === 'PATH_INVALID' && err.field === '/from' && err.message.includes(`(rule ${rule}: `),
    );
  }
  // Messages quote the path safely and stay short.
  const long = fsPathProblem(`/Projects/p/d/${'a/'.repeat(2100)}`)?.message ?? '';
  assert.ok(long.length < 400, long);
  assert.match(fsPathProblem('/Projects/p/\u0000')?.message ?? '', /"\/Projects\/p\/\\u0000": it holds U\+0000/);
  assert.equal(fsPathProblem(`/Projects/p/d/${Array.from({ length: 61 }, () => 'x').join('/')}`), undefined, '64 deep is allowed');
});

test('path helpers', () => {
  assert.equal(utf8Length('aé日😀'), 1 + 2 + 3 + 4);
  assert.equal(fsParent('/Projects/p/d'), '/Projects/p');
  assert.equal(fsParent('/Projects'), '/');
  assert.equal(fsName('/Projects/p/d'), 'd');
  assert.equal(fsJoin('/', 'Projects'), '/Projects');
  assert.equal(fsJoin('/Projects/p', 'd'), '/Projects/p/d');
  assert.ok(fsIsWithin('/Projects/p/d/x', '/Projects/p/d'));
  assert.ok(fsIsWithin('/Projects/p/d', '/Projects/p/d'));
  assert.ok(!fsIsWithin('/Projects/p/dx', '/Projects/p/d'));
});
