/**
 * Opening the job form from anywhere in the window: the palette's "Run a job…", Clone on a
 * job page, and the code editor's "Run as job" (which prefills the command with the file).
 */
import type { JobSpec } from '../../protocol/jobs.ts';
import type { AppStore } from '../store/app-state.ts';
import { appStore } from '../store/app-store.ts';

/**
 * Shows the Jobs section with the job form, its fields filled from `prefill` (anything left
 * out keeps the form's default). `after` fills "Run after" with job ids.
 */
export function openJobForm(prefill: Partial<JobSpec> = {}, options: { after?: string[]; store?: AppStore } = {}): void {
  const store = options.store ?? appStore;
  store.getState().openJobForm(prefill, options.after ?? []);
  store.getState().showView('jobs');
}
