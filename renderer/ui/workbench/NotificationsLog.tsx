/** The panel's log: connection changes, installs and errors, newest at the bottom. */
import { CircleCheck, CircleX, Info, TriangleExclamationPoint, type LucideIcon } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { panelShortcut } from '../../app/commands.ts';
import { formatClockTime, formatExactTime } from '../../format/time.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectNotices, type NoticeLevel } from '../../store/notifications-slice.ts';
import { Kbd } from '../common/Kbd.tsx';
import type { StateTone } from '../common/StateLabel.tsx';

const levelLook: Record<NoticeLevel, { icon: LucideIcon; tone: StateTone; word: string }> = {
  info: { icon: Info, tone: 'running', word: 'Info' },
  success: { icon: CircleCheck, tone: 'healthy', word: 'OK' },
  warning: { icon: TriangleExclamationPoint, tone: 'warning', word: 'Warning' },
  error: { icon: CircleX, tone: 'failed', word: 'Error' },
};

export function NotificationsLog() {
  const notices = useAppState(selectNotices);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    appStore.getState().markNoticesRead();
  }, [notices]);

  // Follow the newest line, as a terminal does.
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [notices.length]);

  if (notices.length === 0) {
    return (
      <p className="panel-empty">
        No notifications. Connection changes and errors will be listed here. <Kbd shortcut={panelShortcut} /> hides this panel.
      </p>
    );
  }
  return (
    <ol className="log" role="log" aria-label="Notifications" ref={list} tabIndex={0}>
      {notices.map((notice) => {
        const look = levelLook[notice.level];
        const Icon = look.icon;
        return (
          <li key={notice.id} className="log-line" data-level={notice.level} data-testid="notification">
            <time className="log-time num" dateTime={new Date(notice.atMs).toISOString()} title={formatExactTime(notice.atMs)}>
              {formatClockTime(notice.atMs)}
            </time>
            <span className="state-label log-level" data-tone={look.tone}>
              <Icon size={13} aria-hidden="true" />
              <span>{look.word}</span>
            </span>
            <span className="log-message">{notice.message}</span>
            {notice.detail && <span className="log-detail">{notice.detail}</span>}
          </li>
        );
      })}
    </ol>
  );
}
