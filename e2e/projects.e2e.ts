/**
 * Projects in the UI on the local cluster: create one by keyboard and mouse, see yourself
 * as its Data Owner, read the audit log, and get a clear answer when inviting someone to a
 * cluster that only runs on this machine.
 */
import { expect, test } from '@playwright/test';
import os from 'node:os';
import { adminUserName } from '../main/cluster/admin-user.ts';
import { startApp, type RunningApp } from './fixtures/app.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.stop();
});

test('a new project lists its creator as Data Owner, with the creation in its audit log', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await page.locator('#activity-projects').click();

  await page.getByTestId('new-project').first().click();
  await page.getByTestId('project-name-input').fill('Vision!');
  await page.getByTestId('project-create').click();
  await expect(page.getByTestId('new-project-form')).toContainText(/lowercase|letter/i);
  await page.getByTestId('project-name-input').fill('vision');
  await page.getByTestId('project-description-input').fill('image models');
  await page.getByTestId('project-create').click();

  const item = page.locator('[data-testid="project-item"][data-name="vision"]');
  await expect(item).toHaveAttribute('data-role', 'data-owner');
  await item.click();
  const me = adminUserName(os.userInfo().username);
  await expect(page.locator(`[data-testid="member-row"][data-user="${me}"]`)).toHaveAttribute('data-role', 'data-owner');

  await page.getByTestId('project-tab-audit').click();
  await expect(page.locator('[data-testid="audit-row"][data-action="project.create"]')).toHaveCount(1);

  // The local cluster runs on this machine only: an invite says so instead of failing silently.
  await page.getByTestId('project-tab-members').click();
  await page.getByTestId('invite-button').click();
  await page.getByTestId('invite-create').click();
  await expect(page.locator('[data-testid="project-error"][data-context="invite"]')).toContainText(/runs on this machine only/);
});
