/**
 * One registry of error codes for every Hopsdesk process, in the manner of fastify's
 * `errors.js`: a code is never reused, each has an HTTP status, and the message says
 * what happened while the hint says what to do next.
 */
export const errorCodes = {
  VALIDATION: { status: 400, hint: 'Check the named field and try again.' },
  PAYLOAD_TOO_LARGE: { status: 413, hint: 'Send less data in one request.' },
  UNAUTHORIZED: { status: 401, hint: 'Reconnect from Hopsdesk so a valid token is presented.' },
  FORBIDDEN: { status: 403, hint: 'Ask a Data Owner of the project (or the cluster admin) for the role named.' },
  FORBIDDEN_ORIGIN: { status: 403, hint: 'Open Hopsdesk from the URL it printed at start-up.' },
  UNKNOWN_METHOD: { status: 404, hint: 'Update Hopsdesk so both ends speak the same API.' },
  NOT_FOUND: { status: 404, hint: 'Check the name; `hopsdesk cluster status` lists what exists.' },
  CLUSTER_NOT_FOUND: { status: 404, hint: 'List clusters with `hopsdesk cluster status`.' },
  HOST_NOT_FOUND: { status: 404, hint: 'List hosts with `hopsdesk cluster hosts`.' },
  PROJECT_NOT_FOUND: { status: 404, hint: 'Check the project name; Hopsdesk lists the projects you are in.' },
  USER_NOT_FOUND: { status: 404, hint: 'Check the user name; people join the cluster by redeeming an invite.' },
  MEMBER_NOT_FOUND: { status: 404, hint: 'Check the user name against the project\'s members.' },
  USER_EXISTS: { status: 409, hint: 'Choose another user name.' },
  PROJECT_EXISTS: { status: 409, hint: 'Choose another project name.' },
  LAST_DATA_OWNER: { status: 409, hint: 'Make another member a Data Owner first.' },
  LIMIT_REACHED: { status: 409, hint: 'Remove what is no longer needed, then try again.' },
  PROJECT_NOT_EMPTY: { status: 409, hint: 'Remove the project\'s datasets first.' },
  PATH_INVALID: { status: 400, hint: 'Fix the path as the named rule says.' },
  PATH_NOT_FOUND: { status: 404, hint: 'Check the path; list its directory to see what exists.' },
  PATH_EXISTS: { status: 409, hint: 'Choose another name, or remove what is there first (uploads take overwrite=true).' },
  NOT_A_DIRECTORY: { status: 409, hint: 'Check the path: a file is in the way.' },
  NOT_A_FILE: { status: 409, hint: 'Check the path: it names a directory.' },
  DIRECTORY_NOT_EMPTY: { status: 409, hint: 'Remove its contents first, or remove it recursively.' },
  NOT_ENOUGH_WORKERS: { status: 503, hint: 'Ask for fewer replicas, or bring more workers back to healthy.' },
  BLOCK_NOT_FOUND: { status: 404, hint: 'The head reads another replica by itself.' },
  BLOCK_CORRUPT: { status: 500, hint: 'The head reads another replica and records this one as corrupt.' },
  BLOCK_WRITE_FAILED: { status: 502, hint: 'Upload the file again; a host of the write pipeline failed.' },
  DISK_FULL: { status: 507, hint: 'Free space on the named host (or raise its reserve), then upload again.' },
  DATA_UNAVAILABLE: { status: 503, hint: 'Bring the hosts holding the file\'s replicas back, then read it again.' },
  UPLOAD_INCOMPLETE: { status: 400, hint: 'Upload the file again; nothing of the broken upload was kept.' },
  QUOTA_EXCEEDED: { status: 507, hint: 'Remove files the project no longer needs, or ask the cluster admin to raise its quota (hopsdesk project quota PROJECT SIZE).' },
  UPLOAD_NOT_FOUND: { status: 404, hint: 'The upload expired, finished or was cancelled; upload the file again.' },
  UPLOAD_OFFSET_MISMATCH: { status: 409, hint: 'Ask the head for the upload (its committedBytes) and send the file from there.' },
  RANGE_NOT_SATISFIABLE: { status: 416, hint: 'Ask for bytes within the file: offset below its size (dataset stat shows it).' },
  TRANSFER_NOT_FOUND: { status: 404, hint: 'The transfer already ended; transfer.progress events name the ones still running.' },
  TRANSFER_CANCELLED: { status: 409, hint: 'Start the transfer again when you want it.' },
  TRANSFER_LINK_LOST: { status: 503, hint: 'Check the network to the head host (hopsdesk cluster status shows the connection), then run the transfer again.' },
  SHARE_NOT_FOUND: { status: 404, hint: 'List the project\'s shares (`hopsdesk dataset shares --project P`) to see what is shared with it.' },
  SHARE_EXISTS: { status: 409, hint: 'The dataset is shared with that project already; unshare it first to share it another way.' },
  TRASH_ENTRY_NOT_FOUND: { status: 404, hint: 'List the project\'s trash (`hopsdesk dataset trash --project P`); entries are purged after their retention.' },
  SAFE_MODE: { status: 503, hint: 'Wait until the head has heard from its workers (it says what it waits for), then try again; reads work meanwhile.' },
  OFFLINE_COPY_NOT_FOUND: { status: 404, hint: 'Make an offline copy of it (Make available offline) while the cluster is connected.' },
  OFFLINE_COPY_TOO_LARGE: { status: 413, hint: 'Copy a folder or file inside it, or only the first rows of each table (sampleRows).' },
  OFFLINE_COPY_OVERLAPS: { status: 409, hint: 'Make the copy again from the enclosing path to refresh it, or remove that copy first.' },
  OFFLINE_PATH_UNSAFE: { status: 400, hint: 'Remove the offline copy and make it again; something in the workspace replaced part of it with a link.' },
  JOB_NOT_RUNNING: { status: 404, hint: 'The job is not running on this host; its job.json in the job directory says how it ended.' },
  JOB_NOT_FOUND: { status: 404, hint: 'List jobs with `hopsdesk job list`; ids look like j-12.' },
  JOB_NEVER_FITS: { status: 422, hint: 'Ask for less (fewer GPUs per host, another GPU model, no label), or add hosts that have it.' },
  JOB_NOT_ENDED: { status: 409, hint: 'Stop the job first (`hopsdesk job stop ID`), or wait for it to end.' },
  JOB_ENDED: { status: 409, hint: 'The job already ended; `hopsdesk job retry ID` runs it again.' },
  STAGING_FAILED: { status: 502, hint: 'Check the dataset with `hopsdesk fs fsck`; retry the job once its blocks are readable.' },
  SCHEDULE_NOT_FOUND: { status: 404, hint: 'List schedules with `hopsdesk job schedule list`.' },
  TEXT_FILE_TOO_LARGE: { status: 413, hint: 'Open it in the dataset explorer\'s preview, or download it and edit it with a tool of your own.' },
  NOT_TEXT: { status: 415, hint: 'Preview or download the file instead; the editor opens UTF-8 text only.' },
  FILE_CHANGED: { status: 409, hint: 'Keep your changes with Save anyway, or discard them and open the file as it is now.' },
  STAGED_TEXT_NOT_FOUND: { status: 404, hint: 'Send the text again from its first piece; staged text is kept two minutes.' },
  LOCAL_SHELL_REFUSED: { status: 403, hint: 'Open the desktop app (hopsdesk open where Electron is installed) for a local terminal, or use a terminal of your own.' },
  CORE_UNREACHABLE: { status: 503, hint: 'Hopsdesk reconnects by itself; if it does not, reload the window.' },
  AGENT_UNREACHABLE: { status: 503, hint: 'Check that the agent is running; Hopsdesk retries by itself.' },
  AGENT_START_FAILED: { status: 503, hint: 'See the agent log named in the message.' },
  AGENT_VERSION_MISMATCH: { status: 409, hint: 'Upgrade the agent to the desktop version.' },
  AGENT_ALREADY_RUNNING: { status: 409, hint: 'Another agent holds this data directory; stop it or use it.' },
  AGENT_NOT_RESPONDING: { status: 503, hint: 'Hopsdesk waits for it and reconnects by itself; if it was stopped (kill -STOP), resume it with kill -CONT, or end it so a new one starts.' },
  HOST_KEY_UNKNOWN: {
    status: 409,
    hint: 'Compare the fingerprint with the host (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), then trust it with --trust-new or --accept-host-key.',
  },
  HOST_KEY_CHANGED: {
    status: 409,
    hint: 'Someone may be impersonating the host. If it was reinstalled, check the new fingerprint on the host itself, then forget the old key.',
  },
  SSH_AUTH_FAILED: { status: 401, hint: 'Check the user name and the key, or add the key to ~/.ssh/authorized_keys on the host.' },
  SSH_PASSPHRASE_REQUIRED: {
    status: 401,
    hint: 'Give the passphrase when asked (the CLI prompts on a terminal), or load the key into ssh-agent with `ssh-add`.',
  },
  SSH_UNREACHABLE: { status: 503, hint: 'Check the address and port, and that sshd runs on the host.' },
  PROVISION_FAILED: { status: 502, hint: 'Fix the cause named in the message on the host, then run the command again; finished hosts are kept.' },
  CLUSTER_PORT_BLOCKED: {
    status: 502,
    hint: 'Allow TCP to the cluster port between the hosts (firewall), or choose another port with --cluster-port.',
  },
  WORKSPACE_INVALID: { status: 500, hint: 'Choose another workspace with --workspace DIR.' },
  INTERNAL: { status: 500, hint: 'This is a bug in Hopsdesk; the details help us fix it.' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** The shape an error takes on every wire: IPC, WebSocket, HTTP and `--json` output. */
export interface WireError {
  code: ErrorCode;
  message: string;
  hint: string;
  /** The offending field as a JSON pointer, for validation errors. */
  field?: string;
}

/** An error that crosses process boundaries with its code intact. */
export class HopsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HopsError';
    this.code = code;
    this.hint = options.hint ?? errorCodes[code].hint;
    this.field = options.field;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, hint: this.hint };
    if (this.field !== undefined) wire.field = this.field;
    return wire;
  }

  static fromWire(wire: WireError): HopsError {
    const code = wire.code in errorCodes ? wire.code : 'INTERNAL';
    return new HopsError(code, wire.message, { hint: wire.hint, ...(wire.field === undefined ? {} : { field: wire.field }) });
  }
}

/** Turns anything thrown into a wire error without leaking stack traces. */
export function toWireError(err: unknown): WireError {
  if (err instanceof HopsError) return err.toWire();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message, hint: errorCodes.INTERNAL.hint };
}
