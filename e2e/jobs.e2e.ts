/**
 * The Jobs section in web mode on the local cluster: run a job from the form whose program
 * prints a line every half second and watch it go pending → running → succeeded with the
 * lines streaming into the log while it runs; stop a long `sleep 600` (with a
 * confirmation), retry it as attempt 2, clone it into a prefilled form; see a job that can
 * never fit refused in the form with the cluster's words; a job run after another, its
 * chain drawn on both pages; a log of 100,000 lines with a
 * bounded window of rows in the page; move through the list with the keyboard.
 */
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { appPerFile } from './fixtures/app.ts';

const app = appPerFile(test);

/** A screenshot for the gallery, from the top of the section's main area. */
async function shot(page: Page, name: string) {
  await page.locator('.jobs-content').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: path.join('docs', 'screenshots', `jobs-${name}.png`) });
}
const jobPage = (page: Page) => page.getByTestId('job-page');

async function createProject(page: Page, name: string) {
  await page.locator('#activity-projects').click();
  await page.getByTestId('new-project').first().click();
  await page.getByTestId('project-name-input').fill(name);
  await page.getByTestId('project-create').click();
  await expect(page.locator(`[data-testid="project-item"][data-name="${name}"]`)).toHaveAttribute('data-role', 'data-owner');
}

/** Fills the form's name, project, program and arguments (one row each). */
async function fillJob(page: Page, job: { name: string; project: string; command: string; args: string[] }) {
  await page.getByTestId('job-form-name').fill(job.name);
  await page.getByTestId('job-form-project').selectOption(job.project);
  await page.getByTestId('job-form-command').fill(job.command);
  for (const [i, arg] of job.args.entries()) {
    await page.getByTestId('job-form-args-add').click();
    await page.getByTestId('job-form-args-item').nth(i).fill(arg);
  }
}

test('jobs: run from the form with live logs, stop, retry, clone, refusal, keyboard', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 960 });
  await page.goto(app().url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await createProject(page, 'ml');

  await page.locator('#activity-jobs').click();
  await expect(page.getByTestId('jobs-empty')).toContainText('No jobs yet');
  await expect(page.getByTestId('jobs-empty')).toContainText('hopsdesk job submit');

  // A job printing 12 lines over 6 seconds, as argv: sh, -c, the loop.
  await page.getByTestId('jobs-empty-run').click();
  const loop = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; sleep 0.5; done; echo done >&2';
  await fillJob(page, { name: 'count', project: 'ml', command: 'sh', args: ['-c', loop] });
  await expect(page.getByTestId('job-form-argv')).toHaveText(JSON.stringify(['sh', '-c', loop]));
  // A size the core cannot read is refused by the field before anything is sent.
  await page.getByTestId('job-form-memory').fill('lots');
  await page.getByTestId('job-form-submit').click();
  await expect(page.locator('#job-form-memory-error')).toContainText('Invalid size "lots"');
  await page.getByTestId('job-form-memory').fill('256M');
  await expect(page.locator('#job-form-memory-error')).toHaveCount(0);
  await shot(page, 'form');
  await page.getByTestId('job-form-submit').click();

  await expect(jobPage(page)).toBeVisible();
  const countId = await jobPage(page).getAttribute('data-job-id');
  expect(countId).toMatch(/^j-\d+$/);
  // Lines stream in while it runs: some, not all, with the job still running.
  await expect(jobPage(page)).toHaveAttribute('data-state', 'running');
  await expect.poll(async () => Number(await page.getByTestId('log-lines').getAttribute('data-lines')), { timeout: 10_000 }).toBeGreaterThan(0);
  const whileRunning = Number(await page.getByTestId('log-lines').getAttribute('data-lines'));
  expect(await jobPage(page).getAttribute('data-state')).toBe('running');
  expect(whileRunning).toBeLessThan(12);
  await expect(page.getByTestId('log-follow')).toHaveAttribute('aria-pressed', 'true');
  await shot(page, 'page-running');
  await expect(jobPage(page)).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 });
  await expect(page.getByTestId('log-lines')).toHaveAttribute('data-lines', '12');
  await expect(page.getByTestId('log-line').last()).toContainText('line 12');
  // The same output in a read-only terminal tab of the panel.
  await page.getByTestId('job-terminal').click();
  await expect(page.getByTestId('terminal-tab').last()).toBeVisible();
  await expect(page.getByTestId('terminal-view').last()).toContainText('line 12', { timeout: 15_000 });
  const timeline = page.locator('[data-testid="job-timeline"] li');
  await expect(timeline.first()).toHaveAttribute('data-state', 'pending');
  await expect(page.locator('[data-testid="job-timeline"] li[data-state="running"]')).toHaveCount(1);
  await expect(timeline.last()).toHaveAttribute('data-state', 'succeeded');
  await page.getByTestId('log-tab-stderr').click();
  await expect(page.locator('[data-testid="log-line"] .log-row-text')).toHaveText(['done']);
  await page.getByTestId('log-tab-stdout').click();
  await page.getByTestId('log-search').fill('line 1');
  await expect(page.getByTestId('log-hits')).toHaveText('– / 4');
  await page.getByTestId('log-search').press('Enter');
  await expect(page.getByTestId('log-hits')).toHaveText('1 / 4');
  await expect(page.getByTestId('log-follow')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('log-search').fill('');
  await shot(page, 'page');

  // 100,000 lines: all of them in the log, a bounded window of them in the page.
  await page.getByTestId('job-back').click();
  await page.getByTestId('jobs-run').click();
  await fillJob(page, { name: 'many', project: 'ml', command: 'seq', args: ['1', '100000'] });
  await page.getByTestId('job-form-submit').click();
  await expect(jobPage(page)).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 });
  await expect(page.getByTestId('log-lines')).toHaveAttribute('data-lines', '100000', { timeout: 30_000 });
  await expect(page.locator('[data-testid="log-line"] .log-row-text').last()).toHaveText('100000');
  expect(await page.getByTestId('log-line').count()).toBeLessThan(120);
  await page.getByTestId('log-lines').evaluate((el) => {
    el.scrollTop = el.scrollHeight / 2;
  });
  await expect(page.getByTestId('log-follow')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('[data-testid="log-line"] .log-row-text').filter({ hasText: /^50000$/ })).toHaveCount(1);
  expect(await page.getByTestId('log-line').count()).toBeLessThan(120);

  // A long job: stop it (confirmed), retry it as attempt 2, stop that too.
  await page.getByTestId('job-back').click();
  await page.getByTestId('jobs-run').click();
  await fillJob(page, { name: 'sleeper', project: 'ml', command: 'sleep', args: ['600'] });
  await page.getByTestId('job-form-submit').click();
  await expect(jobPage(page)).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await page.getByTestId('job-stop').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('SIGTERM');
  await page.getByTestId('confirm-ok').click();
  await expect(jobPage(page)).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await page.getByTestId('job-retry').click();
  await expect(page.getByTestId('job-attempt')).toContainText('attempt 2');
  await expect(jobPage(page)).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await page.getByTestId('job-stop').click();
  await page.getByTestId('confirm-ok').click();
  await expect(jobPage(page)).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });

  // Clone: the form, prefilled with the specification.
  await page.getByTestId('job-clone').click();
  await expect(page.getByTestId('job-form-name')).toHaveValue('sleeper');
  await expect(page.getByTestId('job-form-command')).toHaveValue('sleep');
  await expect(page.getByTestId('job-form-argv')).toHaveText('["sleep","600"]');
  await expect(page.getByTestId('job-form-project')).toHaveValue('ml');

  // More GPUs than the cluster has: refused at submit, the cluster's words in the form.
  await page.getByTestId('job-form-name').fill('too-big');
  await page.getByTestId('job-form-gpus-count').check();
  await page.getByTestId('job-form-gpuCount').fill('64');
  await page.getByTestId('job-form-submit').click();
  await expect(page.getByTestId('job-form-refusal')).toHaveAttribute('data-code', 'JOB_NEVER_FITS');

  // Run after the first job: the chain drawn on its page, and on the first job's page.
  await page.getByTestId('job-form-gpus-none').check();
  await page.getByTestId('job-form-name').fill('then');
  await page.getByTestId('job-form-args-item').first().fill('1');
  await page.getByTestId('job-form-after').fill(countId!);
  await page.getByTestId('job-form-submit').click();
  await expect(jobPage(page)).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 });
  await expect(page.locator(`[data-testid="after-box"][data-job-id="${countId}"]`)).toBeVisible();
  await page.locator(`[data-testid="after-box"][data-job-id="${countId}"]`).click();
  await expect(jobPage(page)).toHaveAttribute('data-job-id', countId!);
  await expect(page.getByTestId('after-box')).toHaveCount(2);
  await shot(page, 'chain');
  await page.getByTestId('job-back').click();

  // The list: the history of all four; arrows and Enter open a job.
  await expect(page.locator('[data-testid="job-row"]')).toHaveCount(4);
  await expect(page.locator('[data-group="history"] [data-testid="job-row"]')).toHaveCount(4);
  await expect(page.getByTestId('side-count-history')).toHaveText('4');
  await page.getByTestId('jobs-filter-text').fill('count');
  await expect(page.locator('[data-testid="job-row"]')).toHaveCount(1);
  await page.getByTestId('jobs-filter-text').fill('');
  await page.getByTestId('job-list').focus();
  await page.keyboard.press('End');
  await shot(page, 'list');
  await page.keyboard.press('Enter');
  await expect(jobPage(page)).toHaveAttribute('data-job-id', countId!);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'page-dark');
});
