/**
 * The new-cluster wizard's form: what a user types (a draft), what is wrong with it in
 * words next to the field, and the `cluster.create` request it becomes. Pure, so every
 * rule is tested without a window.
 */
import type { ParamsOf } from '../../protocol/desktop-api.ts';
import { limits } from '../../protocol/limits.ts';

export interface HostDraft {
  /** Stable across edits, for React keys and focus after adding a row. */
  id: number;
  target: string;
  labels: string[];
}

export interface ClusterDraft {
  name: string;
  head: HostDraft;
  workers: HostDraft[];
  keyFile: string;
  /** Secrets live in memory for this wizard only and are never saved. */
  passphrase: string;
  password: string;
  jump: string;
}

export interface DraftErrors {
  name?: string;
  /** Index 0 is the head, then the workers in order. */
  hosts: Array<{ target?: string; labels?: string }>;
  jump?: string;
  keyFile?: string;
}

export type CreateClusterParams = ParamsOf<'cluster.create'>;

export const MAX_WORKERS = 64;
export const MAX_LABELS = 32;
const MAX_LABEL_LENGTH = 64;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._=-]*$/;
const USER_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const HOST_PATTERN = /^[A-Za-z0-9._-]+$/;

export function emptyDraft(): ClusterDraft {
  return { name: '', head: { id: 0, target: '', labels: [] }, workers: [], keyFile: '', passphrase: '', password: '', jump: '' };
}

/** Every host of the draft, head first: the order of rows in every later step. */
export function draftHosts(draft: ClusterDraft): HostDraft[] {
  return [draft.head, ...draft.workers];
}

export interface SshTargetParts {
  user: string;
  host: string;
  port: number;
}

/** `user@host[:port]`, with `user@[v6::addr]:port` for IPv6; null when it is not one. */
export function parseTarget(text: string): SshTargetParts | null {
  const at = text.indexOf('@');
  if (at <= 0 || text.length > 300) return null;
  const user = text.slice(0, at);
  const rest = text.slice(at + 1);
  if (!USER_PATTERN.test(user)) return null;
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return null;
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    portText = after === '' ? undefined : after.slice(1);
    if (!/^[0-9A-Fa-f:.]+$/.test(host) || !host.includes(':')) return null;
  } else {
    const colon = rest.lastIndexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
    if (!HOST_PATTERN.test(host)) return null;
  }
  let port = 22;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port < 1 || port > 65535) return null;
  }
  return { user, host, port };
}

/** Why `text` is not a usable SSH target, or undefined when it is. */
export function targetProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter the host as user@host or user@host:port.';
  if (!trimmed.includes('@')) return `Add the user name: e.g. ubuntu@${trimmed}.`;
  if (parseTarget(trimmed) !== null) return undefined;
  const port = /\]?:([^:\]]*)$/.exec(trimmed)?.[1];
  if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return 'The port must be a number from 1 to 65535.';
  }
  return 'Write the host as user@host or user@host:port (letters, digits, dots and dashes).';
}

/** The machine a target reaches, whoever logs in: two rows with the same key are one host. */
export function machineKey(text: string): string | null {
  const parts = parseTarget(text.trim());
  return parts === null ? null : `${parts.host.toLowerCase()}:${parts.port}`;
}

/** Why `label` cannot be a host label, or undefined when it can. */
export function labelProblem(label: string): string | undefined {
  if (label === '') return 'A label cannot be empty.';
  if (label.length > MAX_LABEL_LENGTH) return `A label has at most ${MAX_LABEL_LENGTH} characters.`;
  if (!LABEL_PATTERN.test(label)) return 'Labels use letters, digits, dots, dashes, underscores and =, starting with a letter or digit.';
  return undefined;
}

/**
 * The labels after the user typed `input` (one or several, split on commas and spaces):
 * new valid ones are added once, or the first problem is returned and nothing changes.
 */
export function addLabels(labels: readonly string[], input: string): { labels: string[]; problem?: string } {
  const next = [...labels];
  for (const label of input.split(/[\s,]+/).filter(Boolean)) {
    const problem = labelProblem(label);
    if (problem !== undefined) return { labels: [...labels], problem: `“${label}”: ${problem}` };
    if (!next.includes(label)) next.push(label);
  }
  if (next.length > MAX_LABELS) return { labels: [...labels], problem: `A host has at most ${MAX_LABELS} labels.` };
  return { labels: next };
}

/** Why `text` cannot name a new cluster of this workspace, or undefined when it can. */
export function clusterNameProblem(text: string, existingClusters: readonly string[] = []): string | undefined {
  const name = text.trim();
  if (name === '') return 'Give the cluster a name, e.g. lab.';
  if (name.length > limits.maxNameLength) return `A name has at most ${limits.maxNameLength} characters.`;
  if (!NAME_PATTERN.test(name)) return 'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.';
  if (existingClusters.includes(name)) return `A cluster named ${name} exists already; choose another name.`;
  return undefined;
}

/** Every problem of the draft, by field; `isDraftValid` says whether there are none. */
export function validateDraft(draft: ClusterDraft, existingClusters: readonly string[] = []): DraftErrors {
  const errors: DraftErrors = { hosts: [] };
  const nameProblem = clusterNameProblem(draft.name, existingClusters);
  if (nameProblem !== undefined) errors.name = nameProblem;

  const seen = new Map<string, number>();
  draftHosts(draft).forEach((host, index) => {
    const entry: { target?: string; labels?: string } = {};
    const problem = targetProblem(host.target);
    if (problem !== undefined) entry.target = index > 0 && host.target.trim() === '' ? 'Enter user@host, or remove this worker.' : problem;
    const key = problem === undefined ? machineKey(host.target) : null;
    if (key !== null) {
      const first = seen.get(key);
      if (first !== undefined) entry.target = `This host is already listed as ${first === 0 ? 'the head' : `worker ${first}`}.`;
      else seen.set(key, index);
    }
    const badLabel = host.labels.map(labelProblem).find((p) => p !== undefined);
    if (badLabel !== undefined) entry.labels = badLabel;
    else if (new Set(host.labels).size !== host.labels.length) entry.labels = 'Each label once, please.';
    errors.hosts[index] = entry;
  });
  if (draft.workers.length > MAX_WORKERS) errors.hosts[MAX_WORKERS + 1] = { target: `At most ${MAX_WORKERS} workers in one go.` };

  const jump = draft.jump.trim();
  if (jump !== '') {
    const problem = targetProblem(jump);
    if (problem !== undefined) errors.jump = problem;
    else if (seen.has(machineKey(jump) ?? '')) errors.jump = 'The bastion is one of the hosts; leave it empty to connect directly.';
  }
  if (draft.keyFile !== '' && draft.keyFile.trim() === '') errors.keyFile = 'Enter the path of a private key, or leave it empty.';
  return errors;
}

export function isDraftValid(errors: DraftErrors): boolean {
  return (
    errors.name === undefined &&
    errors.jump === undefined &&
    errors.keyFile === undefined &&
    errors.hosts.every((h) => h === undefined || (h.target === undefined && h.labels === undefined))
  );
}

/** The login part shared by scans, doctor runs and the install: only what was filled in. */
export function sshAccessOf(draft: ClusterDraft, acceptHostKeys: readonly string[] = []) {
  const access: { keyFile?: string; passphrase?: string; password?: string; jump?: string; acceptHostKeys?: string[] } = {};
  if (draft.keyFile.trim() !== '') access.keyFile = draft.keyFile.trim();
  if (draft.passphrase !== '') access.passphrase = draft.passphrase;
  if (draft.password !== '') access.password = draft.password;
  if (draft.jump.trim() !== '') access.jump = draft.jump.trim();
  const unique = [...new Set(acceptHostKeys)];
  if (unique.length > 0) access.acceptHostKeys = unique;
  return access;
}

/** The `cluster.create` request for a valid draft and the fingerprints the user confirmed. */
export function toCreateParams(draft: ClusterDraft, acceptHostKeys: readonly string[]): CreateClusterParams {
  const spec = (host: HostDraft) => (host.labels.length > 0 ? { target: host.target.trim(), labels: [...host.labels] } : { target: host.target.trim() });
  const params: CreateClusterParams = { name: draft.name.trim(), head: spec(draft.head), ...sshAccessOf(draft, acceptHostKeys) };
  if (draft.workers.length > 0) params.workers = draft.workers.map(spec);
  return params;
}
