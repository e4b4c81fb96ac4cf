/// <reference lib="dom" />
/**
 * Web mode is reachable only with the per-run token, only on loopback names, and its
 * WebSocket only from its own pages; bad frames get errors, never a crash.
 */
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startApp, type RunningApp } from './fixtures/app.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.stop();
});

test('every path refuses a request without the token', async ({ request }) => {
  for (const path of ['/', '/index.html', '/ws', '/assets/x.js', '/?token=forged']) {
    const response = await request.get(app.origin + path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(401);
    expect((await response.json()).code).toBe('UNAUTHORIZED');
  }
});

test('the page is served with a strict Content Security Policy', async ({ request }) => {
  const token = new URL(app.url).searchParams.get('token')!;
  const response = await request.get(app.origin + '/', { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  const csp = response.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
});

test('a foreign Host header is refused even with the token', async ({ request }) => {
  const token = new URL(app.url).searchParams.get('token')!;
  const response = await request.get(app.origin + '/', {
    headers: { host: 'attacker.example', authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(403);
});

test('the WebSocket needs both the token and our own Origin', async () => {
  const token = new URL(app.url).searchParams.get('token')!;
  const ws = app.origin.replace('http', 'ws') + '/ws';
  const statusOf = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(ws, { headers });
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      socket.on('error', () => resolve(0));
    });
  expect(await statusOf({ origin: app.origin })).toBe(401);
  expect(await statusOf({ authorization: `Bearer ${token}`, origin: 'https://evil.example' })).toBe(403);
  expect(await statusOf({ authorization: `Bearer ${token}`, origin: app.origin })).toBe(101);
});

test('bad frames over the live socket get named errors and the app keeps serving', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  const replies = await page.evaluate(async () => {
    const socket = new WebSocket(`ws://${location.host}/ws`);
    await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    const frames = [
      'not json',
      JSON.stringify({ type: 'call', id: 1, method: 'cluster.destroy', params: {} }),
      JSON.stringify({ type: 'call', id: 2, method: 'settings.update', params: { theme: 'purple' } }),
      JSON.stringify({ type: 'call', id: 3, method: 'app.info', params: {} }),
    ];
    const got: Array<{ id: number; ok: boolean; error?: { code: string; field?: string } }> = [];
    const done = new Promise<void>((resolve) => {
      socket.addEventListener('message', (m) => {
        const msg = JSON.parse(String(m.data));
        if (msg.type !== 'reply') return;
        got.push(msg);
        if (got.length === frames.length) resolve();
      });
    });
    for (const frame of frames) socket.send(frame);
    await done;
    socket.close();
    return got.sort((a, b) => a.id - b.id);
  });
  expect(replies.map((r) => [r.ok, r.error?.code ?? null, r.error?.field ?? null])).toEqual([
    [false, 'VALIDATION', '/'],
    [false, 'UNKNOWN_METHOD', null],
    [false, 'VALIDATION', '/theme'],
    [true, null, null],
  ]);
  await expect(page.getByTestId('host-card')).toHaveCount(1);
});
