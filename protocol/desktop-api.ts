/**
 * The desktop API: renderer ↔ desktop core. One contract from which the preload bridge,
 * the web-mode client, the IPC and WebSocket dispatchers and the CLI all derive.
 * A method is addressed as `<namespace>.<method>` on every wire.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ClusterHost, MetricsSample } from './host.ts';
import { AuditEntry, Invite, Project, ProjectName, Role, User, UserName } from './projects.ts';
import { FileStat, FsPath, ListPage, RemoveReply, SearchReply, fsLimits, searchLimits } from './fs.ts';
import { Share, SharesReply } from './fs-shares.ts';
import { TrashReply } from './fs-trash.ts';
import { FsckReport } from './fsck.ts';
import { FilePreview, OfflineCopy, OfflineEntry, OfflineProgress, offlineLimits, previewLimits } from './previews.ts';
import {
  DoctorReport,
  HostId,
  HostKeyScan,
  HostSpec,
  ProvisionedHost,
  ProvisionProgress,
  SshAccess,
  SshTarget,
  TerminalId,
  TerminalSize,
  UninstallReport,
} from './cluster-setup.ts';
import { limits } from './limits.ts';
import { JobSpec } from './jobs.ts';
import { Job, JobId, JobListReply, JobLogChunk, JobLogStream, JobSchedule, JobUsageReply, ScheduleListReply, jobApiLimits } from './jobs-api.ts';
import { Draft, DraftSummary, StageId, TextFile, TextFilePath, TextPiece, TextSource } from './text-files.ts';

export const DESKTOP_PROTOCOL_VERSION = 1;

const Name = Type.String({ minLength: 1, maxLength: limits.maxNameLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const ClusterRef = Type.Object(
  { cluster: Type.Optional(Name) },
  { additionalProperties: false, description: 'Omit `cluster` for the active cluster.' },
);
const NoParams = Type.Object({}, { additionalProperties: false });

/** Names one upload or download; the core makes one unless the caller brings its own. */
export const TransferId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const TransferState = Type.Union([
  Type.Literal('running'),
  Type.Literal('retrying'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type TransferState = Static<typeof TransferState>;

export const AppMode = Type.Union([Type.Literal('electron'), Type.Literal('web'), Type.Literal('cli')]);
export type AppMode = Static<typeof AppMode>;

export const AppInfo = Type.Object({
  version: Type.String(),
  mode: AppMode,
  workspaceDir: Type.String(),
  platform: Type.String(),
});
export type AppInfo = Static<typeof AppInfo>;

export const ConnectionState = Type.Union([
  Type.Literal('starting'),
  Type.Literal('connected'),
  Type.Literal('reconnecting'),
  Type.Literal('offline'),
  Type.Literal('error'),
  /** The agent speaks another protocol version: offer `hopsdesk host upgrade`, never hang. */
  Type.Literal('version-mismatch'),
]);
export type ConnectionState = Static<typeof ConnectionState>;

export const ClusterKind = Type.Union([Type.Literal('local'), Type.Literal('ssh')]);
export type ClusterKind = Static<typeof ClusterKind>;

export const Connection = Type.Object({
  state: ConnectionState,
  /** Words for the status bar: "local agent on 127.0.0.1:41234", or the cause of an error. */
  detail: Type.String(),
  sinceMs: Type.Number(),
});
export type Connection = Static<typeof Connection>;

export const ClusterSummary = Type.Object({
  name: Type.String(),
  kind: ClusterKind,
  active: Type.Boolean(),
  createdAtMs: Type.Number(),
  connection: Connection,
});
export type ClusterSummary = Static<typeof ClusterSummary>;

export const ClusterStatus = Type.Object({
  name: Type.String(),
  kind: ClusterKind,
  connection: Connection,
  agentVersion: Type.Union([Type.String(), Type.Null()]),
  hosts: Type.Object({ total: Type.Integer(), healthy: Type.Integer() }),
  cpuCores: Type.Integer(),
  memoryTotalBytes: Type.Number(),
  gpus: Type.Object({ total: Type.Integer() }),
});
export type ClusterStatus = Static<typeof ClusterStatus>;

export const Theme = Type.Union([Type.Literal('system'), Type.Literal('light'), Type.Literal('dark')]);
export type Theme = Static<typeof Theme>;

export const Settings = Type.Object({ theme: Theme }, { additionalProperties: false });
export type Settings = Static<typeof Settings>;

/** Settings of a new workspace, and of any setting stored in an older, invalid shape. */
export const defaultSettings: Settings = { theme: 'system' };

export const ViewId = Type.Union([
  Type.Literal('cluster'),
  Type.Literal('projects'),
  Type.Literal('datasets'),
  Type.Literal('jobs'),
  Type.Literal('experiments'),
  Type.Literal('models'),
  Type.Literal('streams'),
  Type.Literal('terminal'),
  Type.Literal('editor'),
]);
export type ViewId = Static<typeof ViewId>;

export const Layout = Type.Object(
  {
    activeView: ViewId,
    sidebarWidth: Type.Integer({ minimum: 120, maximum: 800 }),
    sidebarVisible: Type.Boolean(),
    panelVisible: Type.Boolean(),
    panelHeight: Type.Integer({ minimum: 80, maximum: 1200 }),
  },
  { additionalProperties: false },
);
export type Layout = Static<typeof Layout>;

/** The workbench of a new workspace: the Cluster view, side bar open, panel closed. */
export const defaultLayout: Layout = {
  activeView: 'cluster',
  sidebarWidth: 260,
  sidebarVisible: true,
  panelVisible: false,
  panelHeight: 220,
};

export const RecentItem = Type.Object(
  {
    kind: Type.Union([Type.Literal('host'), Type.Literal('cluster'), Type.Literal('view')]),
    ref: Type.String({ minLength: 1, maxLength: 512 }),
    title: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type RecentItem = Static<typeof RecentItem>;

export const RecentEntry = Type.Composite([RecentItem, Type.Object({ openedAtMs: Type.Number() })]);
export type RecentEntry = Static<typeof RecentEntry>;

interface MethodSpec<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  params: P;
  result: R;
  /** One line for the command palette and the CLI's help. */
  summary: string;
}
const method = <P extends TSchema, R extends TSchema>(params: P, result: R, summary: string): MethodSpec<P, R> => ({
  params,
  result,
  summary,
});

export const desktopApi = {
  app: {
    info: method(NoParams, AppInfo, 'Version, mode and workspace of this Hopsdesk'),
  },
  cluster: {
    list: method(NoParams, Type.Object({ clusters: Type.Array(ClusterSummary) }), 'Clusters in this workspace'),
    create: method(
      Type.Composite(
        [
          Type.Object({
            name: Name,
            head: HostSpec,
            workers: Type.Optional(Type.Array(HostSpec, { maxItems: 64 })),
            /** TCP port agents use between hosts (mutual TLS); default 7871. */
            clusterPort: Type.Optional(Type.Integer({ minimum: 1024, maximum: 65535 })),
          }),
          SshAccess,
        ],
        { additionalProperties: false },
      ),
      Type.Object({
        cluster: ClusterSummary,
        hosts: Type.Array(ProvisionedHost),
        /** Set when the cluster's keys could not go into a real OS key store, saying where they are. */
        secretsWarning: Type.Optional(Type.String()),
      }),
      'Install agents on SSH hosts and form a cluster (progress as provision.progress events)',
    ),
    join: method(
      Type.Composite(
        [
          Type.Object({
            name: Name,
            /** Your own SSH login on the head host. */
            head: SshTarget,
            /** The head's client port on its loopback, as the invite says (default 7870). */
            clientPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
            code: Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }),
            user: UserName,
          }),
          SshAccess,
        ],
        { additionalProperties: false },
      ),
      Type.Object({ cluster: ClusterSummary, user: User, project: Type.Union([Type.String(), Type.Null()]) }),
      'Join a cluster you were invited to, over your own SSH login on its head',
    ),
    use: method(
      Type.Object({ name: Name }, { additionalProperties: false }),
      ClusterSummary,
      'Make a cluster the active one',
    ),
    uninstall: method(
      Type.Composite([Type.Object({ name: Name }), SshAccess], { additionalProperties: false }),
      UninstallReport,
      'Stop and remove everything the app installed on the hosts of a cluster, then forget it',
    ),
    provisioned: method(
      ClusterRef,
      Type.Object({ hosts: Type.Array(ProvisionedHost) }),
      'Hosts the desktop installed for a cluster, with their install details',
    ),
    status: method(ClusterRef, ClusterStatus, 'Connection and capacity of a cluster'),
    hosts: method(ClusterRef, Type.Object({ hosts: Type.Array(ClusterHost) }), 'Hosts of a cluster with inventory'),
    metrics: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          hostId: Type.String({ minLength: 1, maxLength: 128 }),
          sinceMs: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      Type.Object({ samples: Type.Array(MetricsSample) }),
      'Recent CPU, memory and GPU samples of a host',
    ),
  },
  host: {
    doctor: method(
      Type.Composite([Type.Object({ target: SshTarget }), SshAccess], { additionalProperties: false }),
      DoctorReport,
      'Check over SSH whether a host can run the agent, with the fix for each problem',
    ),
    scanKey: method(
      Type.Object({ target: SshTarget, jump: Type.Optional(SshTarget) }, { additionalProperties: false }),
      HostKeyScan,
      "Fetch a host's SSH key fingerprint for confirmation, without logging in",
    ),
    add: method(
      Type.Composite(
        [Type.Object({ cluster: Type.Optional(Name), host: HostSpec }), SshAccess],
        { additionalProperties: false },
      ),
      ProvisionedHost,
      'Install the agent on a host and join it to a cluster as a worker',
    ),
    remove: method(
      Type.Composite([Type.Object({ cluster: Type.Optional(Name), hostId: HostId }), SshAccess], {
        additionalProperties: false,
      }),
      Type.Object({ hostId: Type.String(), clean: Type.Boolean(), detail: Type.String() }),
      'Drain a worker, stop its agent and remove what was installed',
    ),
    upgrade: method(
      Type.Composite(
        [Type.Object({ cluster: Type.Optional(Name), hostId: Type.Optional(HostId) }), SshAccess],
        { additionalProperties: false },
      ),
      Type.Object({ hosts: Type.Array(ProvisionedHost) }),
      "Upgrade agents to this desktop's version, one host at a time",
    ),
  },
  project: {
    list: method(ClusterRef, Type.Object({ projects: Type.Array(Project) }), 'Projects you are a member of (all, for an admin)'),
    create: method(
      Type.Object(
        { cluster: Type.Optional(Name), name: ProjectName, description: Type.Optional(Type.String({ maxLength: 2000 })) },
        { additionalProperties: false },
      ),
      Project,
      'Create a project; you become its Data Owner',
    ),
    get: method(Type.Object({ cluster: Type.Optional(Name), project: ProjectName }, { additionalProperties: false }), Project, 'A project with its members and their roles'),
    addMember: method(
      Type.Object({ cluster: Type.Optional(Name), project: ProjectName, user: UserName, role: Role }, { additionalProperties: false }),
      Project,
      'Add a member to a project, or change their role (Data Owner)',
    ),
    removeMember: method(
      Type.Object({ cluster: Type.Optional(Name), project: ProjectName, user: UserName }, { additionalProperties: false }),
      Project,
      'Remove a member from a project (Data Owner)',
    ),
    invite: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          project: Type.Optional(ProjectName),
          role: Type.Optional(Role),
          ttlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
        },
        { additionalProperties: false },
      ),
      Type.Composite([Invite, Type.Object({ clientPort: Type.Integer(), headAddress: Type.String() })]),
      'Make a one-time invite code for a new member (with the project and role they get)',
    ),
    audit: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          project: ProjectName,
          afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
      Type.Object({ entries: Type.Array(AuditEntry) }),
      "Who did what in a project (Data Owner)",
    ),
    me: method(ClusterRef, User, 'Who you are on a cluster'),
    setQuota: method(
      Type.Object(
        { cluster: Type.Optional(Name), project: ProjectName, quotaBytes: Type.Union([Type.Integer({ minimum: 0, maximum: 1024 ** 5 }), Type.Null()]) },
        { additionalProperties: false },
      ),
      Project,
      "Set a project's byte quota, or lift it with null (cluster admin)",
    ),
  },
  dataset: {
    list: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: FsPath,
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: fsLimits.maxListPage })),
        },
        { additionalProperties: false },
      ),
      ListPage,
      'A page of a directory in the cluster filesystem',
    ),
    stat: method(Type.Object({ cluster: Type.Optional(Name), path: FsPath }, { additionalProperties: false }), FileStat, 'A file or directory'),
    mkdir: method(
      Type.Object({ cluster: Type.Optional(Name), path: FsPath, parents: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      FileStat,
      'Create a dataset (/Projects/<project>/<dataset>) or a directory in one',
    ),
    remove: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: FsPath,
          recursive: Type.Optional(Type.Boolean()),
          /** Delete at once rather than into the project's trash. */
          permanent: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      RemoveReply,
      "Remove a file, or a directory with recursive, into its project's trash (or for good with permanent)",
    ),
    move: method(
      Type.Object({ cluster: Type.Optional(Name), from: FsPath, to: FsPath }, { additionalProperties: false }),
      FileStat,
      'Rename or move within a project',
    ),
    put: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          /** A file on the machine the core runs on. */
          localFile: Type.String({ minLength: 1, maxLength: 4096 }),
          path: FsPath,
          overwrite: Type.Optional(Type.Boolean()),
          blockSize: Type.Optional(Type.Integer({ minimum: fsLimits.minBlockSizeBytes, maximum: fsLimits.maxBlockSizeBytes })),
          replication: Type.Optional(Type.Integer({ minimum: 1, maximum: fsLimits.maxReplication })),
          transferId: Type.Optional(TransferId),
        },
        { additionalProperties: false },
      ),
      FileStat,
      'Upload a local file (progress as transfer.progress events)',
    ),
    get: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: FsPath,
          localFile: Type.String({ minLength: 1, maxLength: 4096 }),
          overwrite: Type.Optional(Type.Boolean()),
          transferId: Type.Optional(TransferId),
        },
        { additionalProperties: false },
      ),
      Type.Object({ path: Type.String(), localFile: Type.String(), bytes: Type.Integer({ minimum: 0 }) }),
      'Download a file to this machine (progress as transfer.progress events)',
    ),
    share: method(
      Type.Object({ cluster: Type.Optional(Name), path: FsPath, withProject: ProjectName, readOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      Share,
      'Share a dataset with another project (Data Owners); pending until a Data Owner there accepts',
    ),
    unshare: method(
      Type.Object({ cluster: Type.Optional(Name), path: FsPath, withProject: ProjectName }, { additionalProperties: false }),
      Share,
      'End the share of a dataset with a project (a Data Owner of either); access ends at once',
    ),
    shares: method(
      Type.Object({ cluster: Type.Optional(Name), project: ProjectName }, { additionalProperties: false }),
      SharesReply,
      "A project's shares: datasets shared with it (incoming) and its own shared with others (outgoing)",
    ),
    acceptShare: method(
      Type.Object({ cluster: Type.Optional(Name), project: ProjectName, path: FsPath }, { additionalProperties: false }),
      Share,
      'Accept a dataset shared with a project (Data Owners of that project)',
    ),
    trash: method(
      Type.Object({ cluster: Type.Optional(Name), project: ProjectName }, { additionalProperties: false }),
      TrashReply,
      "What was removed into a project's trash, newest first, with when each is purged",
    ),
    restore: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          /** The entry's project; checked when given (trash ids are unique in the cluster). */
          project: Type.Optional(ProjectName),
          trashId: Type.Integer({ minimum: 1 }),
          to: Type.Optional(FsPath),
        },
        { additionalProperties: false },
      ),
      FileStat,
      'Put a trash entry back where it was, or at `to` in the same project',
    ),
    search: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: FsPath,
          query: Type.String({ minLength: 1, maxLength: 1024 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: searchLimits.maxResults })),
          order: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('path')])),
        },
        { additionalProperties: false },
      ),
      SearchReply,
      'Files and directories under a project or dataset whose name contains the query (ignoring case)',
    ),
    preview: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: FsPath,
          maxRows: Type.Optional(Type.Integer({ minimum: 1, maximum: previewLimits.maxRows, description: `Default ${previewLimits.defaultRows}.` })),
        },
        { additionalProperties: false },
      ),
      FilePreview,
      "A file's first rows, text or image, read without reading it whole; from the offline copy when the cluster cannot be reached",
    ),
  },
  offline: {
    make: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: FsPath,
          sampleRows: Type.Optional(Type.Integer({ minimum: 1, maximum: offlineLimits.maxSampleRows })),
        },
        { additionalProperties: false },
      ),
      OfflineCopy,
      'Copy a dataset, folder or file into the workspace for offline use (whole, or the first rows of each table)',
    ),
    list: method(ClusterRef, Type.Object({ copies: Type.Array(OfflineCopy) }), 'The offline copies of a cluster'),
    remove: method(
      Type.Object({ cluster: Type.Optional(Name), path: FsPath }, { additionalProperties: false }),
      OfflineCopy,
      'Delete an offline copy from the workspace',
    ),
    listDir: method(
      Type.Object({ cluster: Type.Optional(Name), path: FsPath }, { additionalProperties: false }),
      Type.Object({ entries: Type.Array(OfflineEntry) }),
      'A directory as the offline copies hold it',
    ),
  },
  fs: {
    fsck: method(
      Type.Object({ cluster: Type.Optional(Name), path: Type.Optional(FsPath) }, { additionalProperties: false }),
      FsckReport,
      "The filesystem's health: under-replicated, missing and corrupt blocks, safe mode (the admin; a Data Owner under their project)",
    ),
  },
  transfer: {
    cancel: method(
      Type.Object({ transferId: TransferId }, { additionalProperties: false }),
      Type.Object({}),
      "Stop an upload or download: an upload's session is dropped, a download's partial file removed",
    ),
  },
  job: {
    submit: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          spec: JobSpec,
          after: Type.Optional(Type.Array(JobId, { maxItems: 64 })),
          /** Repeating a submit with the same id makes one job; the core makes one when it is left out. */
          requestId: Type.Optional(Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
        },
        { additionalProperties: false },
      ),
      Job,
      'Submit a job; refused at once when the cluster can never run it (job.changed events follow it)',
    ),
    list: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          project: Type.Optional(ProjectName),
          states: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 8 })),
          before: Type.Optional(JobId),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: jobApiLimits.maxPageSize })),
        },
        { additionalProperties: false },
      ),
      JobListReply,
      'Jobs newest first, of the projects the user is a member of',
    ),
    get: method(Type.Object({ cluster: Type.Optional(Name), jobId: JobId }, { additionalProperties: false }), Job, 'One job with its timeline and placement'),
    stop: method(
      Type.Object({ cluster: Type.Optional(Name), jobId: JobId }, { additionalProperties: false }),
      Job,
      'Stop a job: a pending one leaves the queue, a running one gets SIGTERM then SIGKILL',
    ),
    retry: method(
      Type.Object({ cluster: Type.Optional(Name), jobId: JobId }, { additionalProperties: false }),
      Job,
      'Queue an ended job again as its next attempt',
    ),
    logs: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          jobId: JobId,
          stream: Type.Optional(JobLogStream),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
          length: Type.Optional(Type.Integer({ minimum: 1, maximum: jobApiLimits.maxLogReadBytes })),
        },
        { additionalProperties: false },
      ),
      JobLogChunk,
      "A piece of a job's stdout or stderr",
    ),
    follow: method(
      Type.Object({ cluster: Type.Optional(Name), jobId: JobId }, { additionalProperties: false }),
      Type.Object({ followId: Type.String() }),
      "Stream a job's log lines from the start as job.log events until it ends (job.logEnd)",
    ),
    unfollow: method(Type.Object({ followId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }), Type.Object({}), 'Stop streaming a log'),
    usage: method(
      Type.Object({ cluster: Type.Optional(Name), jobId: JobId }, { additionalProperties: false }),
      JobUsageReply,
      "A running job's CPU, memory and GPU use over time, per host",
    ),
  },
  schedule: {
    create: method(
      Type.Object(
        { cluster: Type.Optional(Name), cron: Type.String({ minLength: 9, maxLength: 200 }), spec: JobSpec },
        { additionalProperties: false },
      ),
      JobSchedule,
      'Submit a job on a cron-style schedule (five fields, UTC)',
    ),
    list: method(
      Type.Object({ cluster: Type.Optional(Name), project: Type.Optional(ProjectName) }, { additionalProperties: false }),
      ScheduleListReply,
      'Schedules of the projects the user is a member of',
    ),
    remove: method(
      Type.Object({ cluster: Type.Optional(Name), scheduleId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
      Type.Object({ scheduleId: Type.String() }),
      'Delete a schedule (jobs it submitted stay)',
    ),
  },
  terminal: {
    open: method(
      Type.Object(
        { cluster: Type.Optional(Name), hostId: HostId, ...TerminalSize },
        { additionalProperties: false },
      ),
      Type.Object({ terminalId: TerminalId, title: Type.String() }),
      'Open a shell on a host over its SSH connection',
    ),
    openLocal: method(
      Type.Object({ ...TerminalSize }, { additionalProperties: false }),
      Type.Object({ terminalId: TerminalId, title: Type.String() }),
      "Open your login shell on this machine (the desktop app only: a web page gets no shell)",
    ),
    write: method(
      Type.Object({ terminalId: TerminalId, data: Type.String({ maxLength: 64 * 1024 }) }, { additionalProperties: false }),
      Type.Object({}),
      'Type into a terminal',
    ),
    resize: method(
      Type.Object({ terminalId: TerminalId, ...TerminalSize }, { additionalProperties: false }),
      Type.Object({}),
      'Resize a terminal',
    ),
    close: method(
      Type.Object({ terminalId: TerminalId }, { additionalProperties: false }),
      Type.Object({}),
      'Close a terminal and its shell',
    ),
  },
  file: {
    stageText: method(
      Type.Object(
        { stageId: StageId, offset: Type.Integer({ minimum: 0 }), text: TextPiece },
        { additionalProperties: false },
      ),
      Type.Object({ stageId: Type.String(), length: Type.Integer({ minimum: 0 }) }),
      'Append a piece to a staged text, for a save or draft longer than one request carries',
    ),
    readText: method(
      Type.Object({ cluster: Type.Optional(Name), path: TextFilePath }, { additionalProperties: false }),
      TextFile,
      'A text file of the cluster whole, for the editor (at most 4 MiB, refused when binary)',
    ),
    writeText: method(
      Type.Object(
        {
          cluster: Type.Optional(Name),
          path: TextFilePath,
          ...TextSource,
          /** The version the text was edited from: refused with FILE_CHANGED when the file is newer. Omit to replace whatever is there. */
          baseMtimeMs: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        },
        { additionalProperties: false },
      ),
      TextFile,
      'Save a text file to the cluster; it is replaced only once all of it is written',
    ),
  },
  draft: {
    save: method(
      Type.Object(
        { cluster: Type.Optional(Name), path: TextFilePath, ...TextSource, baseMtimeMs: Type.Union([Type.Number(), Type.Null()]) },
        { additionalProperties: false },
      ),
      DraftSummary,
      'Keep unsaved changes of a file in the workspace, so they survive a restart',
    ),
    get: method(
      Type.Object({ cluster: Type.Optional(Name), path: TextFilePath }, { additionalProperties: false }),
      Type.Object({ draft: Type.Union([Draft, Type.Null()]) }),
      'The unsaved changes kept for a file, if any',
    ),
    list: method(ClusterRef, Type.Object({ drafts: Type.Array(DraftSummary) }), 'Files of a cluster with unsaved changes kept, newest first'),
    discard: method(
      Type.Object({ cluster: Type.Optional(Name), path: TextFilePath }, { additionalProperties: false }),
      Type.Object({ discarded: Type.Boolean() }),
      'Forget the unsaved changes kept for a file',
    ),
  },
  settings: {
    get: method(NoParams, Settings, 'Read settings'),
    update: method(Type.Partial(Settings, { additionalProperties: false }), Settings, 'Change settings'),
  },
  layout: {
    get: method(NoParams, Layout, 'Read the saved workbench layout'),
    save: method(Layout, Layout, 'Save the workbench layout'),
  },
  recent: {
    list: method(NoParams, Type.Object({ items: Type.Array(RecentEntry) }), 'Recently opened items'),
    add: method(RecentItem, Type.Object({ items: Type.Array(RecentEntry) }), 'Remember an opened item'),
  },
} as const;

export const desktopEvents = {
  'connection.changed': Type.Object({ cluster: Type.String(), connection: Connection }),
  'host.metrics': Type.Object({ cluster: Type.String(), hostId: Type.String(), sample: MetricsSample }),
  'cluster.hostsChanged': Type.Object({ cluster: Type.String(), hosts: Type.Array(ClusterHost) }),
  'provision.progress': ProvisionProgress,
  'transfer.progress': Type.Object({
    direction: Type.Union([Type.Literal('upload'), Type.Literal('download')]),
    path: Type.String(),
    localFile: Type.String(),
    bytesDone: Type.Number({ minimum: 0 }),
    bytesTotal: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    transferId: TransferId,
    /** `retrying`: the link to the head dropped; the transfer resumes where the head says once it is back. */
    state: TransferState,
    /** On `retrying`: why the link counts as dropped (the transport's error, or the head's answer). */
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
  }),
  'offline.progress': OfflineProgress,
  'job.changed': Type.Object({ cluster: Type.String(), job: Job }),
  'job.log': Type.Object({ followId: Type.String(), jobId: Type.String(), stream: JobLogStream, lines: Type.Array(Type.String()) }),
  'job.logEnd': Type.Object({ followId: Type.String(), jobId: Type.String(), job: Type.Optional(Job), error: Type.Optional(Type.String()) }),
  'terminal.output': Type.Object({ terminalId: Type.String(), data: Type.String() }),
  'terminal.exit': Type.Object({ terminalId: Type.String(), code: Type.Union([Type.Integer(), Type.Null()]) }),
} as const;

type Api = typeof desktopApi;
export type Namespace = keyof Api;
export type MethodName = { [N in Namespace]: `${N & string}.${keyof Api[N] & string}` }[Namespace];
export type EventName = keyof typeof desktopEvents;
export type EventPayload<E extends EventName> = Static<(typeof desktopEvents)[E]>;

type SpecOf<M extends MethodName> = M extends `${infer N}.${infer K}`
  ? N extends Namespace
    ? K extends keyof Api[N]
      ? Api[N][K]
      : never
    : never
  : never;
export type ParamsOf<M extends MethodName> = SpecOf<M> extends MethodSpec<infer P, TSchema> ? Static<P> : never;
export type ResultOf<M extends MethodName> = SpecOf<M> extends MethodSpec<TSchema, infer R> ? Static<R> : never;

/** `window.hops` and every other client: namespaced, typed functions plus event subscription. */
export type HopsApi = {
  [N in Namespace]: {
    [K in keyof Api[N]]: Api[N][K] extends MethodSpec<infer P, infer R> ? (params: Static<P>) => Promise<Static<R>> : never;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** The services behind the API implement exactly this, so every transport is a thin adapter. */
export type DesktopHandlers = { [M in MethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

/** Every method with its spec, in a stable order, for dispatchers, bridges and help text. */
export function listMethods(): Array<{ name: MethodName; spec: MethodSpec }> {
  const out: Array<{ name: MethodName; spec: MethodSpec }> = [];
  for (const [ns, methods] of Object.entries(desktopApi)) {
    for (const [key, spec] of Object.entries(methods)) out.push({ name: `${ns}.${key}` as MethodName, spec });
  }
  return out;
}

export const eventNames = Object.keys(desktopEvents) as EventName[];
