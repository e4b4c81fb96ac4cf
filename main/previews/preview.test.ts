/**
 * `dataset.preview` over real files on a real local agent: tables with DuckDB's types,
 * a 200 MB CSV read by its first bytes only, a Parquet file read by its footer and first
 * row group, malformed input shown as text, text with its language, images, binaries.
 */
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FilePreview } from '../../protocol/previews.ts';
import { previewLimits } from '../../protocol/previews.ts';
import type { Core } from '../core/core.ts';
import { createCore } from '../core/create-core.ts';
import { ensureAgentBundle } from '../testing/agent-bundle.ts';

let dir: string;
let core: Core;
const data = '/Projects/lab/files';

const put = async (name: string, content: string | Buffer) => {
  const file = path.join(dir, 'local', name);
  await writeFile(file, content);
  await core.dispatch('dataset.put', { localFile: file, path: `${data}/${name}` });
};
const preview = async (name: string, maxRows?: number) =>
  (await core.dispatch('dataset.preview', { path: `${data}/${name}`, ...(maxRows === undefined ? {} : { maxRows }) })) as FilePreview;

before(async () => {
  await ensureAgentBundle();
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-preview-'));
  await mkdir(path.join(dir, 'local'));
  core = await createCore({ mode: 'cli', workspaceDir: path.join(dir, 'workspace'), log: () => undefined });
  await core.start();
  await core.dispatch('project.create', { name: 'lab' });
  await core.dispatch('dataset.mkdir', { path: data });
});
after(async () => {
  await core?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a CSV shows its first rows with the types DuckDB finds, and its row count when read whole', async () => {
  const lines = ['id,name,score,day,ok'];
  for (let i = 1; i <= 300; i++) lines.push(`${i},name ${i},${i / 2},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 === 0}`);
  await put('typed.csv', lines.join('\n') + '\n');
  const result = await preview('typed.csv');
  assert.equal(result.kind, 'table');
  if (result.kind !== 'table') return;
  assert.equal(result.format, 'csv');
  assert.deepEqual(result.columns, [
    { name: 'id', type: 'BIGINT' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'score', type: 'DOUBLE' },
    { name: 'day', type: 'DATE' },
    { name: 'ok', type: 'BOOLEAN' },
  ]);
  assert.equal(result.rows.length, previewLimits.defaultRows);
  // Big integers and dates travel as strings, so no precision is lost in JSON.
  assert.deepEqual(result.rows[0], ['1', 'name 1', 0.5, '2024-01-02', false]);
  assert.equal(result.totalRows, 300);
  assert.equal(result.truncated, true);
  assert.equal(result.offline, undefined);

  const few = await preview('typed.csv', 10);
  assert.equal(few.kind === 'table' && few.rows.length, 10);
});

test('TSV and JSON Lines are tables too', async () => {
  await put('tabs.tsv', 'city\tpeople\nOslo\t709000\nBergen\t291000\n');
  const tsv = await preview('tabs.tsv');
  assert.ok(tsv.kind === 'table');
  assert.equal(tsv.format, 'tsv');
  assert.deepEqual(tsv.columns.map((c) => c.name), ['city', 'people']);
  assert.deepEqual(tsv.rows, [['Oslo', '709000'], ['Bergen', '291000']]);
  assert.equal(tsv.truncated, false);

  await put('events.jsonl', '{"user":"ada","n":1,"tags":["a","b"]}\n{"user":"bob","n":2,"tags":[]}\n');
  const jsonl = await preview('events.jsonl');
  assert.ok(jsonl.kind === 'table');
  assert.equal(jsonl.format, 'jsonl');
  assert.deepEqual(jsonl.columns, [
    { name: 'user', type: 'VARCHAR' },
    { name: 'n', type: 'BIGINT' },
    { name: 'tags', type: 'VARCHAR[]' },
  ]);
  // Nested values arrive as JSON text.
  assert.deepEqual(jsonl.rows[0], ['ada', '1', '["a","b"]']);
  assert.equal(jsonl.totalRows, 2);
});

test('a Parquet file is read by its footer and first row group only', async (t) => {
  const file = path.join(dir, 'local', 'table.parquet');
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  await connection.run(
    `COPY (SELECT range AS id, 'row ' || range AS label, (range * 0.25)::DOUBLE AS value FROM range(300000)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`,
  );
  connection.closeSync();
  duck.closeSync();
  await core.dispatch('dataset.put', { localFile: file, path: `${data}/table.parquet` });
  const size = (await stat(file)).size;

  const result = await preview('table.parquet');
  assert.ok(result.kind === 'table');
  assert.equal(result.format, 'parquet');
  assert.deepEqual(result.columns, [
    { name: 'id', type: 'BIGINT' },
    { name: 'label', type: 'VARCHAR' },
    { name: 'value', type: 'DOUBLE' },
  ]);
  assert.equal(result.rows.length, 200);
  assert.deepEqual(result.rows[199], ['199', 'row 199', 49.75]);
  assert.equal(result.totalRows, 300000);
  assert.equal(result.truncated, true);
  assert.ok(result.bytesRead < size / 2, `read ${result.bytesRead} of ${size} bytes`);
  t.diagnostic(`Parquet preview read ${result.bytesRead} of ${size} bytes`);
});

test('a 200 MB CSV is previewed from its first 4 MiB', { timeout: 180_000 }, async (t) => {
  const file = path.join(dir, 'local', 'big.csv');
  const out = createWriteStream(file);
  const line = (i: number) => `${i},sensor-${i % 97},${(i * 0.001).toFixed(3)},2024-05-01T12:00:00\n`;
  let written = 0;
  let i = 0;
  out.write('id,sensor,reading,at\n');
  while (written < 200 * 1024 * 1024) {
    const chunk: string[] = [];
    for (let k = 0; k < 20_000; k++) chunk.push(line(i++));
    const text = chunk.join('');
    written += text.length;
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  await core.dispatch('dataset.put', { localFile: file, path: `${data}/big.csv` });
  await rm(file);

  const result = await preview('big.csv', 1000);
  assert.ok(result.kind === 'table');
  assert.equal(result.rows.length, 1000);
  assert.deepEqual(result.rows[0], ['0', 'sensor-0', 0, '2024-05-01 12:00:00']);
  assert.equal(result.columns[3]?.type, 'TIMESTAMP');
  assert.equal(result.totalRows, undefined);
  assert.equal(result.truncated, true);
  // The head of the file and at most one chunk in flight past it: never the 200 MB.
  assert.ok(result.bytesRead >= previewLimits.tableHeadBytes, `read ${result.bytesRead} bytes`);
  assert.ok(result.bytesRead <= previewLimits.tableHeadBytes + 1024 * 1024, `read ${result.bytesRead} bytes`);
  t.diagnostic(`200 MB CSV preview read ${result.bytesRead} of ${written} bytes`);
});

test('malformed tables are shown as text with the reason; a broken Parquet file says why', async () => {
  await put('ragged.csv', 'a,b\n1,2\n3,4,5,6\n7\n');
  const ragged = await preview('ragged.csv');
  assert.ok(ragged.kind === 'text');
  assert.equal(ragged.text, 'a,b\n1,2\n3,4,5,6\n7\n');
  assert.match(ragged.notice ?? '', /^Not read as a CSV table: .+/);

  await put('cut.jsonl', '{"a":1}\n{"a":\n');
  const cut = await preview('cut.jsonl');
  assert.ok(cut.kind === 'text');
  assert.match(cut.notice ?? '', /Not read as a JSON Lines table: .*Malformed JSON/);

  await put('fake.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 0xff), Buffer.from([0, 0, 0, 1]), Buffer.from('PAR1')]));
  const fake = await preview('fake.parquet');
  assert.equal(fake.kind, 'none');
  assert.match(fake.kind === 'none' ? fake.reason : '', /Not read as a Parquet table: it does not end with a Parquet footer/);
});

test('text comes with its language, cut at 256 KiB; images come whole; binaries say so', async () => {
  await put('train.py', 'import torch\nprint("hi")\n');
  assert.deepEqual(await preview('train.py'), { kind: 'text', language: 'python', text: 'import torch\nprint("hi")\n', truncated: false });
  await put('config.yml', 'epochs: 3\n');
  assert.equal(((await preview('config.yml')) as { language: string }).language, 'yaml');
  await put('notes', 'no extension, plain words\n');
  assert.equal(((await preview('notes')) as { language: string }).language, 'plain');

  await put('long.md', '# Title\n' + 'é'.repeat(200_000));
  const long = await preview('long.md');
  assert.ok(long.kind === 'text');
  assert.equal(long.language, 'markdown');
  assert.equal(long.truncated, true);
  assert.ok(Buffer.byteLength(long.text) <= previewLimits.maxTextBytes);
  assert.ok(!long.text.includes('\ufffd'), 'a character cut in half is dropped, not mangled');

  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await put('pixel.png', png);
  assert.deepEqual(await preview('pixel.png'), { kind: 'image', mime: 'image/png', dataBase64: png.toString('base64') });

  await put('weights.bin', Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0]));
  assert.deepEqual(await preview('weights.bin'), { kind: 'none', reason: 'It is a binary file of a type Hopsdesk cannot show.' });
});

test('bad requests are refused before anything is read', async () => {
  await assert.rejects(core.dispatch('dataset.preview', { path: '/Projects/lab/../etc/passwd' }), { code: 'PATH_INVALID' });
  await assert.rejects(core.dispatch('dataset.preview', { path: data }), { code: 'NOT_A_FILE' });
  await assert.rejects(core.dispatch('dataset.preview', { path: `${data}/missing.csv` }), { code: 'PATH_NOT_FOUND' });
  await assert.rejects(core.dispatch('dataset.preview', { path: `${data}/typed.csv`, maxRows: 1001 }), { code: 'VALIDATION' });
});
