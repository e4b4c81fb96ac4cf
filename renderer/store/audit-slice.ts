/**
 * The audit log of the project on screen, oldest first and newest last. The head pages
 * forward only (`afterSeq`), so "Load more" asks for what came after the last entry held;
 * pages are merged by sequence number, so an overlap or a repeat never shows twice.
 */
import type { AuditEntry } from '../../protocol/projects.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import type { LoadProblem } from './cluster-slice.ts';

/** Entries asked for per page. */
export const AUDIT_PAGE_SIZE = 100;

export interface AuditLog {
  project: string;
  phase: 'loading' | 'ready' | 'error';
  /** Sorted by `seq`, each once. */
  entries: AuditEntry[];
  /** The last page was full, so there may be more after it. */
  hasMore: boolean;
  /** A "Load more" in flight, while the entries stay on screen. */
  loadingMore: boolean;
  problem: LoadProblem | null;
}

export interface AuditSlice {
  audit: AuditLog | null;
  /** A first read of `project` (`more: false`) or the next page of the one held. */
  auditStarted(project: string, more: boolean): void;
  auditPageLoaded(project: string, page: AuditEntry[], limit: number): void;
  auditFailed(project: string, problem: LoadProblem): void;
  auditCleared(): void;
}

/** `entries` and a newly read `page`, by sequence number, each once (the later copy wins). */
export function mergeAuditPage(entries: readonly AuditEntry[], page: readonly AuditEntry[]): AuditEntry[] {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  for (const entry of page) bySeq.set(entry.seq, entry);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The query for the page after what is held: everything from the start for an empty log. */
export function nextAuditQuery(entries: readonly AuditEntry[], limit = AUDIT_PAGE_SIZE): { afterSeq?: number; limit: number } {
  const last = entries.at(-1);
  return last === undefined ? { limit } : { afterSeq: last.seq, limit };
}

export const createAuditSlice: SliceCreator<AuditSlice> = (set) => ({
  audit: null,
  auditStarted: (project, more) =>
    set((s) =>
      more && s.audit?.project === project
        ? { audit: { ...s.audit, loadingMore: true, problem: null } }
        : { audit: { project, phase: 'loading', entries: [], hasMore: false, loadingMore: false, problem: null } },
    ),
  auditPageLoaded: (project, page, limit) =>
    set((s) => {
      if (s.audit?.project !== project) return {};
      const entries = mergeAuditPage(s.audit.entries, page);
      return { audit: { ...s.audit, phase: 'ready', entries, hasMore: page.length >= limit, loadingMore: false, problem: null } };
    }),
  auditFailed: (project, problem) =>
    set((s) =>
      s.audit?.project !== project
        ? {}
        : { audit: { ...s.audit, phase: s.audit.entries.length > 0 ? 'ready' : 'error', loadingMore: false, problem } },
    ),
  auditCleared: () => set({ audit: null }),
});

export const selectAudit = (s: AppState): AuditLog | null => s.audit;
