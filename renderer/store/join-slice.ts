/**
 * The join-with-invite dialog: the draft, the step it is at, and the head's host key as
 * scanned, which the user confirms (as in the new-cluster wizard) before Hopsdesk logs in.
 * In the store so the palette can open it; secrets in the draft live in memory only.
 */
import type { HostKeyScan } from '../../protocol/cluster-setup.ts';
import { emptyJoinDraft, type JoinDraft } from '../app/join-form.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import type { LoadProblem } from './cluster-slice.ts';

/** `form` while typing; `confirm-key` waits for the user to compare a new host key. */
export type JoinStep = 'form' | 'scanning' | 'confirm-key' | 'joining';

export interface JoinDialog {
  /** Tells this dialog from one opened after it, so a late answer lands in the right one. */
  id: number;
  draft: JoinDraft;
  showErrors: boolean;
  step: JoinStep;
  /** The key of the head in the draft; dropped when the head is edited. */
  scan: HostKeyScan | null;
  /** Fingerprints the user said they compared with the host. */
  confirmed: string[];
  problem: LoadProblem | null;
}

export interface JoinSlice {
  join: JoinDialog | null;
  joinOpened(): void;
  /** Forgets the draft, passphrase included. */
  joinClosed(): void;
  joinEdited(patch: Partial<JoinDraft>): void;
  joinShowErrors(): void;
  joinStepChanged(id: number, step: JoinStep): void;
  joinKeyScanned(id: number, scan: HostKeyScan): void;
  joinKeyConfirmed(fingerprint: string, confirmed: boolean): void;
  /** Back to the form with the problem shown. */
  joinFailed(id: number, problem: LoadProblem): void;
}

export const createJoinSlice: SliceCreator<JoinSlice> = (set) => {
  let opened = 0;
  const update = (id: number | null, change: (j: JoinDialog) => Partial<JoinDialog>) =>
    set((s) => (s.join === null || (id !== null && s.join.id !== id) ? {} : { join: { ...s.join, ...change(s.join) } }));
  return {
    join: null,
    joinOpened: () =>
      set((s) => {
        if (s.join !== null) return {};
        opened += 1;
        return { join: { id: opened, draft: emptyJoinDraft(), showErrors: false, step: 'form', scan: null, confirmed: [], problem: null } };
      }),
    joinClosed: () => set({ join: null }),
    joinEdited: (patch) =>
      update(null, (j) => {
        const draft = { ...j.draft, ...patch };
        // A confirmed key is for one host; another head needs another look.
        const sameHead = draft.head.trim() === j.draft.head.trim();
        return { draft, problem: null, ...(sameHead ? {} : { scan: null, confirmed: [], step: j.step === 'confirm-key' ? 'form' : j.step }) };
      }),
    joinShowErrors: () => update(null, () => ({ showErrors: true })),
    joinStepChanged: (id, step) => update(id, () => ({ step, ...(step === 'scanning' || step === 'joining' ? { problem: null } : {}) })),
    joinKeyScanned: (id, scan) => update(id, (j) => ({ scan, confirmed: j.confirmed.filter((fp) => keysOf(scan).some((k) => k.fingerprint === fp)) })),
    joinKeyConfirmed: (fingerprint, confirmed) =>
      update(null, (j) => ({ confirmed: confirmed ? [...new Set([...j.confirmed, fingerprint])] : j.confirmed.filter((fp) => fp !== fingerprint) })),
    joinFailed: (id, problem) => update(id, () => ({ step: 'form', problem })),
  };
};

export const selectJoin = (s: AppState): JoinDialog | null => s.join;

export interface JoinKey {
  target: string;
  fingerprint: string;
  keyType: string;
  status: HostKeyScan['status'];
  previousFingerprint?: string | undefined;
  /** The bastion the head is reached through (a ProxyJump in ~/.ssh/config). */
  bastion: boolean;
}

/** The keys met on the way to the head: the head's own, and its bastion's if any. */
export function keysOf(scan: HostKeyScan): JoinKey[] {
  const { via, ...head } = scan;
  const keys: JoinKey[] = [{ ...head, bastion: false }];
  if (via !== undefined) keys.push({ ...via, bastion: true });
  return keys;
}

/** Whether the join may go on: every key scanned, none changed, each new one confirmed. */
export function joinKeysVerdict(join: Pick<JoinDialog, 'scan' | 'confirmed'>): { ready: boolean; changed: boolean; acceptHostKeys: string[] } {
  if (join.scan === null) return { ready: false, changed: false, acceptHostKeys: [] };
  const keys = keysOf(join.scan);
  const changed = keys.some((k) => k.status === 'changed');
  const fresh = keys.filter((k) => k.status === 'new');
  const acceptHostKeys = fresh.filter((k) => join.confirmed.includes(k.fingerprint)).map((k) => k.fingerprint);
  return { ready: !changed && acceptHostKeys.length === fresh.length, changed, acceptHostKeys: [...new Set(acceptHostKeys)] };
}
