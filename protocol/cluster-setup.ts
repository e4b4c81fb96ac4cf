/**
 * Schemas for turning SSH hosts into a cluster: how to log in to a host, what the
 * provisioner reports while it works, and the terminals opened on a host's SSH
 * connection. Used by the desktop API (`cluster.create`, `host.add`, …) and its events.
 */
import { Type, type Static } from '@sinclair/typebox';

/** `user@host[:port]` as ssh takes it; a `~/.ssh/config` alias may stand for the host. */
export const DoctorCheck = Type.Object({
  id: Type.Union(
    ['os', 'arch', 'glibc', 'disk', 'memory', 'clock', 'gpu', 'python', 'service', 'cluster-port'].map((id) => Type.Literal(id)),
  ),
  title: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('warn'), Type.Literal('fail')]),
  detail: Type.String(),
  /** What to do about a warning or failure. */
  fix: Type.Optional(Type.String()),
});
export type DoctorCheck = Static<typeof DoctorCheck>;

export const DoctorReport = Type.Object({
  target: Type.String(),
  checks: Type.Array(DoctorCheck),
  /** True when nothing failed: the host can take the agent. */
  ready: Type.Boolean(),
});
export type DoctorReport = Static<typeof DoctorReport>;

/** An error as it crosses the wire (see `WireError` in errors.ts). */
const WireErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  hint: Type.String(),
  field: Type.Optional(Type.String()),
});

export const SshTarget = Type.String({
  minLength: 3,
  maxLength: 300,
  pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9.:_\\[\\]-]+$',
});
export const Fingerprint = Type.String({ pattern: '^SHA256:[A-Za-z0-9+/]{43}$' });
const Label = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._=-]*$' });
const HostIdPattern = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const HostId = Type.String({ minLength: 1, maxLength: 128, pattern: HostIdPattern });

/**
 * How to log in. Secrets (passphrase, password) are used for this call only and never
 * stored; keys come from `keyFile`, else the ssh-agent, else ~/.ssh/id_ed25519 / id_rsa.
 */
export const SshAccess = Type.Object(
  {
    keyFile: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    /** A bastion every host is reached through (ProxyJump). */
    jump: Type.Optional(SshTarget),
    trustNewHostKey: Type.Optional(Type.Boolean()),
    /** Fingerprints the user confirmed, one per host whose key is new. */
    acceptHostKeys: Type.Optional(Type.Array(Fingerprint, { maxItems: 65 })),
  },
  { additionalProperties: false },
);
export type SshAccess = Static<typeof SshAccess>;

/** A host to provision, with the labels the scheduler will match (e.g. `infiniband`). */
export const HostSpec = Type.Object(
  {
    target: SshTarget,
    labels: Type.Optional(Type.Array(Label, { maxItems: 32, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type HostSpec = Static<typeof HostSpec>;

export const ProvisionPhase = Type.Union(
  [
    'connecting',
    'checking',
    'uploading',
    'installing',
    'starting',
    'joining',
    'healthy',
    'draining',
    'removing',
    'removed',
    'failed',
  ].map((phase) => Type.Literal(phase)),
);
export type ProvisionPhase =
  | 'connecting'
  | 'checking'
  | 'uploading'
  | 'installing'
  | 'starting'
  | 'joining'
  | 'healthy'
  | 'draining'
  | 'removing'
  | 'removed'
  | 'failed';

/** One step of one host's provisioning, as a progress row shows it. */
export const ProvisionProgress = Type.Object({
  cluster: Type.String(),
  /** The target as given (`user@host:port`), until the host has an id. */
  target: Type.String(),
  hostId: Type.Optional(Type.String()),
  phase: ProvisionPhase,
  /** Words for the row: "uploading agent 0.1.0 (41 MB)", "already installed". */
  detail: Type.String(),
  bytesDone: Type.Optional(Type.Number({ minimum: 0 })),
  bytesTotal: Type.Optional(Type.Number({ minimum: 0 })),
  doctor: Type.Optional(DoctorReport),
  error: Type.Optional(WireErrorSchema),
  atMs: Type.Number(),
});
export type ProvisionProgress = Static<typeof ProvisionProgress>;

/** What the desktop knows of a host it installed, beside what the head reports. */
export const ProvisionedHost = Type.Object({
  hostId: Type.String(),
  target: Type.String(),
  roles: Type.Array(Type.Union([Type.Literal('head'), Type.Literal('worker')])),
  labels: Type.Array(Type.String()),
  agentVersion: Type.String(),
  /** systemd --user unit, or the agent's own supervisor. */
  service: Type.Union([Type.Literal('systemd'), Type.Literal('supervisor')]),
});
export type ProvisionedHost = Static<typeof ProvisionedHost>;

const KeyScanFields = {
  target: Type.String(),
  fingerprint: Fingerprint,
  keyType: Type.String(),
  /** `new`: never seen; `trusted`: as stored; `changed`: differs from the stored key. */
  status: Type.Union([Type.Literal('new'), Type.Literal('trusted'), Type.Literal('changed')]),
  previousFingerprint: Type.Optional(Fingerprint),
};
export const HostKeyScan = Type.Object({
  ...KeyScanFields,
  /** The bastion the host was reached through, with its own key to confirm. */
  via: Type.Optional(Type.Object(KeyScanFields)),
});
export type HostKeyScan = Static<typeof HostKeyScan>;

export const UninstallReport = Type.Object({
  cluster: Type.String(),
  hosts: Type.Array(
    Type.Object({
      hostId: Type.String(),
      target: Type.String(),
      /** True when no process and no file of the app remained after removal. */
      clean: Type.Boolean(),
      detail: Type.String(),
    }),
  ),
});
export type UninstallReport = Static<typeof UninstallReport>;

export const TerminalId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const TerminalSize = {
  cols: Type.Integer({ minimum: 2, maximum: 1000 }),
  rows: Type.Integer({ minimum: 1, maximum: 500 }),
};
