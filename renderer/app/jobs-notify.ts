/**
 * A desktop notification when a job ends while the window is in the background, so a
 * researcher can leave a run and hear about it. Uses the web `Notification` API, which
 * Electron and Chromium both provide; permission is asked the first time a job is run from
 * this window (a user's action, as browsers want), never at start-up.
 */
import type { Job } from '../../protocol/jobs-api.ts';
import { isJobOver } from '../store/jobs-list.ts';

/** What the window offers: the `Notification` API and whether it has the focus. */
export interface Notifier {
  permission(): 'default' | 'granted' | 'denied' | 'unsupported';
  requestPermission(): Promise<unknown>;
  show(title: string, body: string, tag: string, onClick: () => void): void;
  windowFocused(): boolean;
}

export function browserNotifier(): Notifier {
  const supported = typeof Notification !== 'undefined';
  return {
    permission: () => (supported ? Notification.permission : 'unsupported'),
    requestPermission: () => (supported ? Notification.requestPermission() : Promise.resolve('unsupported')),
    show(title, body, tag, onClick) {
      const notification = new Notification(title, { body, tag });
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    },
    windowFocused: () => document.hasFocus(),
  };
}

const endWords: Record<string, string> = { succeeded: 'succeeded', failed: 'failed', stopped: 'was stopped' };

/** "train-resnet (j-17) failed" and how: the exit code, signal or the head's words. */
export function endNotice(job: Job): { title: string; body: string } {
  const title = `${job.spec.name} (${job.jobId}) ${endWords[job.state] ?? job.state}`;
  const how =
    job.message ??
    (job.exitCode !== undefined && job.exitCode !== null ? `Exit code ${job.exitCode}.` : job.signal ? `Ended by ${job.signal}.` : '');
  return { title, body: `${job.spec.project}${how === '' ? '' : ` — ${how}`}` };
}

export interface JobEndNotices {
  /** A job changed (from an event), with the copy held before. */
  changed(job: Job, before: Job | undefined): void;
  /** The user ran a job: the moment to ask for permission if it was never asked. */
  askPermission(): void;
}

export function createJobEndNotices(notifier: Notifier, openJob: (jobId: string) => void): JobEndNotices {
  return {
    changed(job, before) {
      if (!isJobOver(job.state) || (before !== undefined && isJobOver(before.state) && before.attempt === job.attempt)) return;
      if (notifier.windowFocused() || notifier.permission() !== 'granted') return;
      const { title, body } = endNotice(job);
      notifier.show(title, body, `${job.jobId}:${job.attempt}`, () => openJob(job.jobId));
    },
    askPermission() {
      if (notifier.permission() === 'default') notifier.requestPermission().catch(() => undefined);
    },
  };
}
