/**
 * Forming an SSH cluster from the UI, as a user does, on the lab in a box: the wizard with
 * host keys confirmed one by one, the doctor's checklists, a progress row per host, then
 * the hosts table with every host healthy, its GPUs and labels, and a terminal on a host.
 * The GPUs are declared: a fake `nvidia-smi` on two hosts' PATH prints their rows.
 */
import { expect, test } from '@playwright/test';
import path from 'node:path';
import { startApp, type RunningApp } from './fixtures/app.ts';
import { createLab, labSupport, type Lab } from './lab/lab.ts';

const support = await labSupport();
let lab: Lab;
let app: RunningApp;

test.describe.configure({ timeout: 240_000 });
test.skip(!support.ok, support.ok ? '' : `skipped: ${support.reason}`);

test.beforeAll(async () => {
  lab = await createLab([
    { name: 'uihead', gpus: [{ name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 }, { name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 }] },
    { name: 'uigpu', gpus: [{ name: 'NVIDIA L4', memoryTotalMiB: 23034 }] },
    { name: 'uihidden', behindBastion: true },
    { name: 'uiextra' },
  ]);
  app = await startApp({ env: { HOPSDESK_SSH_CONFIG: lab.sshConfigFile } });
});
test.afterAll(async () => {
  await app?.stop();
  await lab?.teardown();
});

test('the wizard provisions three hosts; the hosts table shows them healthy with GPUs and labels; a terminal opens', async ({ page }) => {
  const [head, gpu, hidden] = lab.hosts as [typeof lab.hosts[0], typeof lab.hosts[0], typeof lab.hosts[0]];
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');

  await page.getByTestId('add-cluster').first().click();
  const wizard = page.getByTestId('wizard');
  await page.getByTestId('wizard-name').fill('uilab');
  await page.getByTestId('wizard-head').fill(`${head.user}@${head.name}`);
  await page.getByTestId('wizard-add-worker').click();
  await page.getByTestId('wizard-worker-1').fill(`${gpu.user}@${gpu.name}`);
  await page.getByTestId('wizard-labels-1').fill('infiniband');
  await page.getByTestId('wizard-labels-1').press('Enter');
  await page.getByTestId('wizard-add-worker').click();
  await page.getByTestId('wizard-worker-2').fill(`${hidden.user}@${hidden.name}`);
  await page.getByTestId('wizard-key-file').fill(lab.clientKeyFile);
  await page.getByTestId('wizard-next').click();

  // Host keys: each fingerprint shown for comparison — the bastion's too, found through the
  // hidden host's ProxyJump — and continuing needs every one confirmed.
  await expect(wizard).toHaveAttribute('data-step', 'keys');
  const rows = page.getByTestId('hostkey-row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(3)).toHaveAttribute('data-target', 'bastion');
  for (let i = 0; i < 4; i += 1) {
    await expect(rows.nth(i)).toHaveAttribute('data-fingerprint', /^SHA256:/);
    await expect(rows.nth(i)).toHaveAttribute('data-status', 'new');
  }
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  for (let i = 0; i < 4; i += 1) await page.getByTestId(`hostkey-confirm-${i}`).check();
  await page.getByTestId('wizard-next').click();

  // The doctor: a checklist per host, all ready.
  const doctors = page.getByTestId('doctor-host');
  await expect(doctors).toHaveCount(3);
  for (let i = 0; i < 3; i += 1) await expect(doctors.nth(i)).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(doctors.first().getByTestId('doctor-check').first()).toHaveAttribute('data-status', /ok|warn/);
  await page.getByTestId('wizard-next').click();

  // Install: a progress row per host, each ending healthy.
  const progress = page.getByTestId('progress-row');
  await expect(progress).toHaveCount(3);
  for (let i = 0; i < 3; i += 1) await expect(progress.nth(i)).toHaveAttribute('data-phase', 'healthy', { timeout: 180_000 });
  await page.screenshot({ path: path.join('docs', 'screenshots', 'wizard-install.png') });
  await page.getByTestId('wizard-open-cluster').click();

  // The hosts table: three healthy hosts with their GPUs and labels.
  const hostRows = page.getByTestId('host-row');
  await expect(hostRows).toHaveCount(3);
  for (const hostId of ['uihead', 'uigpu', 'uihidden']) {
    await expect(page.locator(`[data-testid="host-row"][data-host-id="${hostId}"]`)).toHaveAttribute('data-state', 'healthy', { timeout: 60_000 });
  }
  const headRow = page.locator('[data-testid="host-row"][data-host-id="uihead"]');
  await expect(headRow.getByTestId('host-row-gpus')).toHaveAttribute('data-count', '2');
  await expect(headRow.getByTestId('host-row-gpus')).toContainText('H100');
  const gpuRow = page.locator('[data-testid="host-row"][data-host-id="uigpu"]');
  await expect(gpuRow.getByTestId('host-row-gpus')).toContainText('L4');
  await expect(gpuRow.getByTestId('host-row-labels')).toContainText('infiniband');
  await page.screenshot({ path: path.join('docs', 'screenshots', 'hosts-table-ssh.png') });

  // A terminal on the host behind the bastion, over the same SSH connection.
  await page.locator('[data-testid="host-row"][data-host-id="uihidden"]').getByTestId('host-open-terminal').click();
  const terminal = page.getByTestId('terminal-view').last();
  await expect(terminal).toBeVisible();
  await terminal.click();
  await page.keyboard.type('echo "answer-$((6*7))" && whoami\n');
  await expect(terminal).toContainText('answer-42');
  await expect(terminal).toContainText(hidden.user);
  await page.screenshot({ path: path.join('docs', 'screenshots', 'terminal.png') });

  // Adding a host later: its key confirmed, then a provisioning row that ends healthy.
  const extra = lab.host('uiextra');
  await page.getByTestId('add-host').click();
  await page.getByTestId('add-host-target').fill(`${extra.user}@${extra.name}`);
  await page.getByTestId('add-host-key-file').fill(lab.clientKeyFile);
  await page.getByTestId('add-host-read-key').click();
  await expect(page.getByTestId('add-host-key-row')).toHaveAttribute('data-status', 'new');
  await expect(page.getByTestId('add-host-submit')).toBeDisabled();
  await page.getByTestId('add-host-key-confirm').check();
  await page.getByTestId('add-host-submit').click();
  await expect(page.locator('[data-testid="host-row"][data-host-id="uiextra"]')).toHaveAttribute('data-state', 'healthy', { timeout: 120_000 });
  await expect(hostRows).toHaveCount(4);

  // Uninstall, confirmed first: nothing of Hopsdesk is left on any host.
  await page.getByTestId('uninstall-cluster').click();
  await page.getByTestId('confirm-ok').click();
  for (const host of lab.hosts) {
    await expect
      .poll(async () => (await host.run('test -e ~/.hopsdesk && echo left || echo gone')).stdout.trim(), { timeout: 60_000 })
      .toBe('gone');
    // The uninstall's own leftover check may still be running on the host a moment longer.
    await expect.poll(async () => (await host.processes()).filter((p) => p.includes('hopsdesk')), { timeout: 30_000 }).toEqual([]);
  }
});
