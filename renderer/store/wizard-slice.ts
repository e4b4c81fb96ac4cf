/**
 * The new-cluster wizard: its step, the draft, and the answers of each step's calls (host
 * key scans, doctor runs, the install). In the store so leaving the Cluster view and coming
 * back finds the wizard as it was; secrets in the draft live in memory only.
 */
import type { DoctorReport, HostKeyScan, ProvisionedHost } from '../../protocol/cluster-setup.ts';
import { draftHosts, emptyDraft, type ClusterDraft } from '../app/new-cluster.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import type { LoadProblem } from './cluster-slice.ts';

export type WizardStep = 'hosts' | 'keys' | 'doctor' | 'install';
export const WIZARD_STEPS: ReadonlyArray<{ step: WizardStep; title: string }> = [
  { step: 'hosts', title: 'Hosts' },
  { step: 'keys', title: 'Host keys' },
  { step: 'doctor', title: 'Checks' },
  { step: 'install', title: 'Install' },
];

export type KeyCheck = { state: 'scanning' } | { state: 'scanned'; scan: HostKeyScan } | { state: 'failed'; problem: LoadProblem };
export type DoctorRun = { state: 'running' } | { state: 'done'; report: DoctorReport } | { state: 'failed'; problem: LoadProblem };
export type InstallRun =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; hosts: ProvisionedHost[] }
  | { state: 'failed'; problem: LoadProblem };

export interface Wizard {
  /** Tells this wizard from one opened after it, so a late answer lands in the right one. */
  id: number;
  step: WizardStep;
  draft: ClusterDraft;
  /** Field problems show after the first Next, not while the user is still typing. */
  showErrors: boolean;
  /** By target. */
  keys: Record<string, KeyCheck>;
  /** Target → the fingerprint the user said they compared; a rescan with another key voids it. */
  confirmed: Record<string, string>;
  doctor: Record<string, DoctorRun>;
  install: InstallRun;
  /** Bumped whenever checks restart, so answers of an abandoned run are dropped. */
  run: number;
  nextRowId: number;
}

export interface WizardSlice {
  wizard: Wizard | null;
  openWizard(): void;
  /** Forgets the draft, password included. */
  closeWizard(): void;
  wizardEdited(edit: (draft: ClusterDraft) => ClusterDraft): void;
  wizardWorkerAdded(): void;
  wizardWorkerRemoved(id: number): void;
  wizardShowErrors(): void;
  wizardStepShown(step: WizardStep): void;
  /** Starts a run of host key scans or doctor checks over `targets`; returns its number. */
  keyScansStarted(targets: readonly string[]): number;
  keyScanned(run: number, target: string, result: KeyCheck): void;
  keyConfirmed(target: string, fingerprint: string | null): void;
  doctorStarted(targets: readonly string[]): number;
  doctorAnswered(run: number, target: string, result: DoctorRun): void;
  /** Ignored when wizard `id` was closed meanwhile (the install goes on; the log reports it). */
  installChanged(id: number, install: InstallRun): void;
}

const freshWizard = (id: number): Wizard => ({
  id,
  step: 'hosts',
  draft: emptyDraft(),
  showErrors: false,
  keys: {},
  confirmed: {},
  doctor: {},
  install: { state: 'idle' },
  run: 0,
  nextRowId: 1,
});

export const createWizardSlice: SliceCreator<WizardSlice> = (set, get) => {
  const update = (change: (w: Wizard) => Partial<Wizard>) =>
    set((s) => (s.wizard === null ? {} : { wizard: { ...s.wizard, ...change(s.wizard) } }));
  let opened = 0;
  return {
    wizard: null,
    openWizard: () =>
      set((s) => {
        if (s.wizard !== null) return {};
        opened += 1;
        return { wizard: freshWizard(opened) };
      }),
    closeWizard: () => set({ wizard: null }),
    wizardEdited: (edit) => update((w) => ({ draft: edit(w.draft) })),
    wizardWorkerAdded: () =>
      update((w) => ({
        draft: { ...w.draft, workers: [...w.draft.workers, { id: w.nextRowId, target: '', labels: [] }] },
        nextRowId: w.nextRowId + 1,
      })),
    wizardWorkerRemoved: (id) => update((w) => ({ draft: { ...w.draft, workers: w.draft.workers.filter((h) => h.id !== id) } })),
    wizardShowErrors: () => update(() => ({ showErrors: true })),
    wizardStepShown: (step) => update(() => ({ step })),
    keyScansStarted: (targets) => {
      update((w) => ({ run: w.run + 1, keys: Object.fromEntries(targets.map((t) => [t, { state: 'scanning' } as KeyCheck])), doctor: {} }));
      return get().wizard?.run ?? 0;
    },
    keyScanned: (run, target, result) =>
      update((w) => {
        if (w.run !== run) return {};
        const confirmed = { ...w.confirmed };
        // A confirmation is for one fingerprint; a different key needs a new look.
        if (result.state !== 'scanned' || confirmed[target] !== result.scan.fingerprint) delete confirmed[target];
        const keys = { ...w.keys, [target]: result };
        // A bastion met on the way is checked like any host; the first scan through it reports it.
        const via = result.state === 'scanned' ? result.scan.via : undefined;
        if (via !== undefined && keys[via.target]?.state !== 'scanned') keys[via.target] = { state: 'scanned', scan: via };
        return { keys, confirmed };
      }),
    keyConfirmed: (target, fingerprint) =>
      update((w) => {
        const confirmed = { ...w.confirmed };
        if (fingerprint === null) delete confirmed[target];
        else confirmed[target] = fingerprint;
        return { confirmed };
      }),
    doctorStarted: (targets) => {
      update((w) => ({ run: w.run + 1, doctor: Object.fromEntries(targets.map((t) => [t, { state: 'running' } as DoctorRun])) }));
      return get().wizard?.run ?? 0;
    },
    doctorAnswered: (run, target, result) => update((w) => (w.run !== run ? {} : { doctor: { ...w.doctor, [target]: result } })),
    installChanged: (id, install) => update((w) => (w.id === id ? { install } : {})),
  };
};

export const selectWizard = (s: AppState): Wizard | null => s.wizard;

export type KeyRole = 'head' | 'worker' | 'bastion';

/**
 * Every host whose key is checked: the hosts in draft order, then the bastion if any, then
 * bastions the scans found on their own (a `ProxyJump` in the user's ~/.ssh/config).
 */
export function keyTargets(draft: ClusterDraft, keys: Record<string, KeyCheck> = {}): Array<{ target: string; role: KeyRole }> {
  const list = draftHosts(draft).map((h, i) => ({ target: h.target.trim(), role: (i === 0 ? 'head' : 'worker') as KeyRole }));
  const jump = draft.jump.trim();
  if (jump !== '') list.push({ target: jump, role: 'bastion' });
  const listed = new Set(list.map((t) => t.target));
  for (const check of Object.values(keys)) {
    const via = check.state === 'scanned' ? check.scan.via : undefined;
    if (via !== undefined && !listed.has(via.target)) {
      listed.add(via.target);
      list.push({ target: via.target, role: 'bastion' });
    }
  }
  return list;
}

export interface KeysVerdict {
  /** Every key scanned, none changed, every new one confirmed. */
  ready: boolean;
  /** A changed key stops the wizard: nothing may continue past it. */
  changed: boolean;
  /** Confirmed fingerprints of new keys, for `acceptHostKeys`. */
  acceptHostKeys: string[];
}

export function keysVerdict(wizard: Wizard): KeysVerdict {
  const targets = keyTargets(wizard.draft, wizard.keys);
  let ready = targets.length > 0;
  let changed = false;
  const accept: string[] = [];
  for (const { target } of targets) {
    const check = wizard.keys[target];
    if (check?.state !== 'scanned') {
      ready = false;
      continue;
    }
    const { scan } = check;
    if (scan.status === 'changed') changed = true;
    if (scan.status === 'new') {
      if (wizard.confirmed[target] === scan.fingerprint) accept.push(scan.fingerprint);
      else ready = false;
    }
  }
  return { ready: ready && !changed, changed, acceptHostKeys: [...new Set(accept)] };
}

/** The doctor runs over the cluster's hosts (not the bastion): ready when each answered and none failed. */
export function doctorVerdict(wizard: Wizard): { ready: boolean; running: boolean; failing: number } {
  const runs = draftHosts(wizard.draft).map((h) => wizard.doctor[h.target.trim()]);
  const running = runs.some((r) => r === undefined || r.state === 'running');
  const failing = runs.filter((r) => r?.state === 'failed' || (r?.state === 'done' && !r.report.ready)).length;
  return { ready: !running && failing === 0, running, failing };
}
