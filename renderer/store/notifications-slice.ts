/** The bottom panel's log: connection changes and errors, newest last, capped. */
import type { AppState, SliceCreator } from './app-state.ts';
import { isLogShowing } from './terminals-slice.ts';

export const NOTICES_CAPACITY = 200;

export type NoticeLevel = 'info' | 'success' | 'warning' | 'error';

export interface Notice {
  id: number;
  atMs: number;
  level: NoticeLevel;
  message: string;
  /** The hint or cause, shown under the message. */
  detail?: string;
}

export interface NotificationsSlice {
  notices: Notice[];
  /** Notices added since the panel was last seen, for the status bar's count. */
  unreadNotices: number;
  nextNoticeId: number;
  notify(level: NoticeLevel, message: string, detail?: string, atMs?: number): void;
  markNoticesRead(): void;
  clearNotices(): void;
}

export const createNotificationsSlice: SliceCreator<NotificationsSlice> = (set) => ({
  notices: [],
  unreadNotices: 0,
  nextNoticeId: 1,
  notify: (level, message, detail, atMs = Date.now()) =>
    set((s) => {
      const notice: Notice = { id: s.nextNoticeId, atMs, level, message, ...(detail ? { detail } : {}) };
      const notices = [...s.notices, notice].slice(-NOTICES_CAPACITY);
      // Someone looking at the log has read it already.
      const unreadNotices = isLogShowing(s) ? 0 : s.unreadNotices + 1;
      return { notices, unreadNotices, nextNoticeId: s.nextNoticeId + 1 };
    }),
  markNoticesRead: () => set({ unreadNotices: 0 }),
  clearNotices: () => set({ notices: [], unreadNotices: 0 }),
});

export const selectNotices = (s: AppState): Notice[] => s.notices;
export const selectUnreadNotices = (s: AppState): number => s.unreadNotices;
/** Whether anything unread is a problem, so the status bar can say so with an icon. */
export const selectUnreadProblem = (s: AppState): boolean =>
  s.unreadNotices > 0 && s.notices.slice(-s.unreadNotices).some((n) => n.level === 'error' || n.level === 'warning');
