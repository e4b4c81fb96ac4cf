/**
 * Joining a cluster with an invite: the command an inviter passes on, the form the invitee
 * fills in (or pastes that command into), what is wrong with it in words, and the
 * `cluster.join` request it becomes. Pure, so every rule is tested without a window.
 */
import type { ParamsOf } from '../../protocol/desktop-api.ts';
import type { Invite } from '../../protocol/projects.ts';
import { clusterNameProblem, targetProblem } from './new-cluster.ts';
import { userNameProblem } from './project-rules.ts';

/** The head's client port on its loopback when the invite does not say otherwise. */
export const DEFAULT_CLIENT_PORT = 7870;
const CODE_PATTERN = /^[A-Za-z0-9_-]{16,200}$/;

/** Words the invitee replaces in the command: their cluster name, SSH login and user name. */
export const INVITE_PLACEHOLDERS = { name: 'NAME', login: 'THEIR_USER', user: 'THEIR_NAME' } as const;

type InviteWhere = Pick<Invite, 'code'> & { headAddress: string; clientPort: number };

/** The one line the invitee runs, exactly as `hopsdesk project invite` prints it. */
export function inviteCommand(invite: InviteWhere): string {
  const { name, login, user } = INVITE_PLACEHOLDERS;
  return `hopsdesk cluster join ${name} --head ${login}@${invite.headAddress} --client-port ${invite.clientPort} --invite ${invite.code} --user ${user}`;
}

export interface JoinDraft {
  name: string;
  /** Your own SSH login on the head, `user@host[:port]`. */
  head: string;
  clientPort: string;
  code: string;
  user: string;
  keyFile: string;
  /** For an encrypted key; in memory for this join only. */
  passphrase: string;
}

export type JoinField = 'name' | 'head' | 'clientPort' | 'code' | 'user' | 'keyFile';
export type JoinErrors = Partial<Record<JoinField, string>>;

export function emptyJoinDraft(): JoinDraft {
  return { name: '', head: '', clientPort: String(DEFAULT_CLIENT_PORT), code: '', user: '', keyFile: '', passphrase: '' };
}

/** Every problem of the draft, by field; empty when it can be sent. */
export function validateJoinDraft(draft: JoinDraft, existingClusters: readonly string[] = []): JoinErrors {
  const errors: JoinErrors = {};
  const name = clusterNameProblem(draft.name, existingClusters);
  if (name !== undefined) errors.name = name;
  const head = targetProblem(draft.head);
  if (head !== undefined) errors.head = draft.head.trim().startsWith('@') ? 'Put your own SSH login on the head before the @, e.g. ana@gpu-head.' : head;
  const port = draft.clientPort.trim();
  if (port !== '' && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    errors.clientPort = `The client port is a number from 1 to 65535; the invite says which (usually ${DEFAULT_CLIENT_PORT}).`;
  }
  const code = draft.code.trim();
  if (code === '') errors.code = 'Paste the invite code you were given.';
  else if (!CODE_PATTERN.test(code)) errors.code = 'An invite code has 16 to 200 letters, digits, - and _; paste it exactly as you got it.';
  const user = userNameProblem(draft.user, 'Choose the user name you want on the cluster, e.g. ana.');
  if (user !== undefined) errors.user = user;
  if (draft.keyFile !== '' && draft.keyFile.trim() === '') errors.keyFile = 'Enter the path of a private key, or leave it empty.';
  return errors;
}

export function isJoinValid(errors: JoinErrors): boolean {
  return Object.values(errors).every((e) => e === undefined);
}

/** The `cluster.join` request for a valid draft and the host key fingerprints the user confirmed. */
export function toJoinParams(draft: JoinDraft, acceptHostKeys: readonly string[] = []): ParamsOf<'cluster.join'> {
  const port = draft.clientPort.trim();
  const params: ParamsOf<'cluster.join'> = {
    name: draft.name.trim(),
    head: draft.head.trim(),
    code: draft.code.trim(),
    user: draft.user.trim(),
    clientPort: port === '' ? DEFAULT_CLIENT_PORT : Number(port),
  };
  if (draft.keyFile.trim() !== '') params.keyFile = draft.keyFile.trim();
  if (draft.passphrase !== '') params.passphrase = draft.passphrase;
  const accept = [...new Set(acceptHostKeys)];
  if (accept.length > 0) params.acceptHostKeys = accept;
  return params;
}

/**
 * The fields a pasted `hopsdesk cluster join …` command fills in, leaving out the words the
 * inviter could not know (NAME, THEIR_USER, THEIR_NAME); null when `text` is not that command.
 * The head keeps the login already typed: `ana@` + the invite's host.
 */
export function parseJoinCommand(text: string, current: Pick<JoinDraft, 'head'> = { head: '' }): Partial<JoinDraft> | null {
  const words = text.trim().split(/\s+/);
  const start = words.findIndex((w, i) => w === 'cluster' && words[i + 1] === 'join');
  if (start < 0) return null;
  const found: Partial<JoinDraft> = {};
  const name = words[start + 2];
  if (name !== undefined && !name.startsWith('--') && name !== INVITE_PLACEHOLDERS.name) found.name = name;
  for (let i = start + 2; i < words.length; i += 1) {
    const value = words[i + 1];
    if (value === undefined || value.startsWith('--')) continue;
    switch (words[i]) {
      case '--head': {
        const at = value.lastIndexOf('@');
        const login = value.slice(0, Math.max(0, at));
        const typed = current.head.includes('@') ? current.head.slice(0, current.head.indexOf('@')).trim() : current.head.trim();
        found.head = `${login === INVITE_PLACEHOLDERS.login || login === '' ? typed : login}@${value.slice(at + 1)}`;
        break;
      }
      case '--client-port':
        found.clientPort = value;
        break;
      case '--invite':
        found.code = value;
        break;
      case '--user':
        if (value !== INVITE_PLACEHOLDERS.user) found.user = value;
        break;
    }
  }
  return found;
}
