/**
 * The cluster filesystem (HopsFS-like): its paths, the shapes its head routes take and
 * return, and the one path validator every end uses.
 *
 * Paths are absolute, normalized and UTF-8: `/`, `/Projects`, `/Projects/<project>`
 * (one per project, made by Hopsdesk), `/Projects/<project>/<dataset>` (a dataset is a
 * directory directly under its project) and anything below a dataset. Files live only
 * inside datasets. A file is visible (listed, readable) only once its upload completed.
 *
 * Content moves as `application/octet-stream` on `fsRoutes.content`; everything else is
 * JSON. The head splits a file into blocks (`blockSize`, default 64 MiB) and keeps each
 * on `replication` distinct workers (default `min(3, healthy workers)`).
 *
 * Shared by the agent API (head routes) and, later, the desktop API and CLI.
 */
import { Type, type Static } from '@sinclair/typebox';
import { HopsError } from './errors.ts';

/** Bounds of paths, listings and uploads. */
export const fsLimits = {
  /** Longest path, in UTF-8 bytes. */
  maxPathBytes: 4096,
  /** Longest name (one path segment), in UTF-8 bytes. */
  maxNameBytes: 255,
  /** Most names in a path (`/Projects/p/d` is 3 deep). */
  maxDepth: 64,
  /** Entries in one listing page, and the default page. */
  maxListPage: 1000,
  /** Smallest and largest block size an upload may ask for. */
  minBlockSizeBytes: 4096,
  maxBlockSizeBytes: 1024 * 1024 * 1024,
  /** Most replicas of a block an upload may ask for. */
  maxReplication: 16,
} as const;

/** Defaults a head uses when neither its configuration nor the upload says otherwise. */
export const fsDefaults = {
  blockSizeBytes: 64 * 1024 * 1024,
  /** Replication is `min(this, healthy workers)` by default. */
  replication: 3,
  listPage: 1000,
} as const;

/** The directory every project's directory lives in. */
export const projectsDirName = 'Projects';

/**
 * Every rule a path can break, with what it says. A refused path is a 400 `PATH_INVALID`
 * whose message names the rule (`rule no-dot-segments: …`), so a person and a program
 * both know what to fix.
 */
export const fsPathRules = {
  absolute: 'a path starts with "/"',
  // Before the whole path's length: a name too long is the part to shorten, even when it also makes the path too long.
  'name-length': `a name is at most ${fsLimits.maxNameBytes} bytes (UTF-8)`,
  'path-length': `a path is at most ${fsLimits.maxPathBytes} bytes (UTF-8)`,
  'no-control-characters': 'a path holds no NUL or other control character (U+0000–U+001F, U+007F–U+009F)',
  'well-formed': 'a path is well-formed Unicode (no lone surrogate)',
  normalized: 'a path has no empty name ("//") and no trailing "/"',
  'no-dot-segments': 'a path has no "." or ".." name',
  depth: `a path is at most ${fsLimits.maxDepth} names deep`,
  'under-projects': 'everything but "/" lives under /Projects/<project>/',
  'inside-dataset': 'files live inside a dataset, /Projects/<project>/<dataset>/…',
  'managed-directory': '"/", "/Projects" and "/Projects/<project>" are made and removed with projects, not by hand',
  'same-project': 'a move stays within one project',
  'not-into-itself': 'a directory cannot be moved into itself',
  'dataset-only': 'only a whole dataset, /Projects/<project>/<dataset>, is shared',
  'search-scope': 'a search runs under a project or a dataset, /Projects/<project>[/…]',
} as const;
export type FsPathRule = keyof typeof fsPathRules;

/** Where a valid path sits in the tree. */
export type FsPathLevel = 'root' | 'projects' | 'project' | 'dataset' | 'inside';

/** A valid path, taken apart. */
export interface FsPathParts {
  path: string;
  /** The names after the root, e.g. `['Projects', 'vision', 'images']`. */
  names: string[];
  level: FsPathLevel;
  /** The project, for `project`, `dataset` and `inside` paths. */
  project: string | undefined;
  /** The dataset, for `dataset` and `inside` paths. */
  dataset: string | undefined;
}

/** Why a path is refused: the rule and a sentence naming the offending part. */
export interface FsPathProblem {
  rule: FsPathRule;
  message: string;
}

const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** UTF-8 length of a well-formed string, without TextEncoder (this module imports no runtime). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** A path shown in a message: quoted, escaped, and cut short when long. */
export function quotePath(path: string): string {
  const shown = path.length > 120 ? `${path.slice(0, 100)}…(${path.length} characters)` : path;
  return JSON.stringify(shown);
}

/** A valid path as a message shows it: whole unless very long. */
export function showPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 160)}…${path.slice(-30)}` : path;
}

/**
 * What is wrong with `path` as a filesystem path, or undefined when it is valid: the
 * first rule it breaks (in the order of `fsPathRules`), with a message naming the
 * offending part. Paths are never normalized for the caller: `/a/./b` is refused, not
 * read as `/a/b`.
 */
export function fsPathProblem(path: string): FsPathProblem | undefined {
  const fail = (rule: FsPathRule, what: string): FsPathProblem => ({
    rule,
    message: `Invalid path ${quotePath(path)}: ${what} (rule ${rule}: ${fsPathRules[rule]}).`,
  });
  if (!path.startsWith('/')) return fail('absolute', 'it is relative');
  const long = path.split('/').find((name) => utf8Length(name) > fsLimits.maxNameBytes);
  if (long !== undefined) return fail('name-length', `the name ${quotePath(long)} is ${utf8Length(long)} bytes long`);
  if (path.length > fsLimits.maxPathBytes || utf8Length(path) > fsLimits.maxPathBytes) {
    return fail('path-length', `it is ${utf8Length(path)} bytes long`);
  }
  const control = controlCharacter.exec(path);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return fail('no-control-characters', `it holds U+${code} at character ${control.index}`);
  }
  if (loneSurrogate.test(path)) return fail('well-formed', 'it holds a lone surrogate');
  if (path === '/') return undefined;
  const names = path.slice(1).split('/');
  if (names.includes('')) return fail('normalized', path.endsWith('/') ? 'it ends with "/"' : 'it has an empty name ("//")');
  const dot = names.find((name) => name === '.' || name === '..');
  if (dot !== undefined) return fail('no-dot-segments', `it has a "${dot}" name`);
  if (names.length > fsLimits.maxDepth) return fail('depth', `it is ${names.length} names deep`);
  if (names[0] !== projectsDirName) return fail('under-projects', `it starts with "/${names[0] ?? ''}"`);
  return undefined;
}

/**
 * Takes `path` apart, or throws a 400 `PATH_INVALID` naming the rule it breaks; `field`
 * names the request field it came in (a JSON pointer).
 */
export function parseFsPath(path: string, field = '/path'): FsPathParts {
  const problem = fsPathProblem(path);
  if (problem !== undefined) throw new HopsError('PATH_INVALID', problem.message, { field });
  const names = path === '/' ? [] : path.slice(1).split('/');
  const levels: FsPathLevel[] = ['root', 'projects', 'project', 'dataset'];
  return { path, names, level: levels[names.length] ?? 'inside', project: names[1], dataset: names[2] };
}

/** The parent of a valid path other than `/`. */
export function fsParent(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** The last name of a valid path (`''` for `/`). */
export function fsName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `dir` joined with `name` (which must be one valid name). */
export function fsJoin(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Whether `path` is `ancestor` or lies below it. */
export function fsIsWithin(path: string, ancestor: string): boolean {
  return path === ancestor || ancestor === '/' || path.startsWith(`${ancestor}/`);
}

/** The directory of a project. */
export function projectPath(project: string): string {
  return `/${projectsDirName}/${project}`;
}

// Shapes.

/** A path as sent; `fsPathProblem` decides what is valid. */
export const FsPath = Type.String({ minLength: 1, maxLength: fsLimits.maxPathBytes * 2 });

export const FileType = Type.Union([Type.Literal('file'), Type.Literal('dir')]);
export type FileType = Static<typeof FileType>;

/** One file or directory. Directories have size, replication and blockSize 0. */
export const FileStat = Type.Object({
  path: Type.String(),
  name: Type.String(),
  type: FileType,
  /** Bytes, for a file. */
  size: Type.Integer({ minimum: 0 }),
  /** Replicas each block of a file was written with. */
  replication: Type.Integer({ minimum: 0 }),
  blockSize: Type.Integer({ minimum: 0 }),
  mtimeMs: Type.Number(),
  /** Always true in what the head returns: files being written are not shown. */
  complete: Type.Boolean(),
  /** The user who created it. */
  createdBy: Type.String(),
  /**
   * Files only, from stat and list: `healthy` (every block has its replicas on reachable
   * hosts), `under-replicated` (some block has fewer; the head copies it), `unavailable`
   * (some block has no replica on a reachable host: reading fails until one is back).
   */
  health: Type.Optional(Type.Union([Type.Literal('healthy'), Type.Literal('under-replicated'), Type.Literal('unavailable')])),
  /**
   * A dataset of another project shared with this one, as the listing of
   * `/Projects/<this project>` shows it: `path` is its real path, where it is read.
   */
  sharedFrom: Type.Optional(Type.Object({ project: Type.String(), dataset: Type.String(), readOnly: Type.Boolean() })),
});
export type FileStat = Static<typeof FileStat>;

/** `GET stat`, `GET content`, `GET blocks`. */
export const PathQuery = Type.Object({ path: FsPath }, { additionalProperties: false });
export type PathQuery = Static<typeof PathQuery>;

/** `GET list`: a directory's entries sorted by name (UTF-8 byte order), a page at a time. */
export const ListQuery = Type.Object(
  {
    path: FsPath,
    /** `nextCursor` of the previous page; omit for the first. */
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    /** Default and most: 1000. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: fsLimits.maxListPage })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

/** A page of a listing; `nextCursor` is null on the last page. Listing a file gives that file. */
export const ListPage = Type.Object({ entries: Type.Array(FileStat), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export type ListPage = Static<typeof ListPage>;

/** `POST mkdir`: creates a directory (a dataset directly under a project); `parents` also creates missing ones above it. */
export const MkdirRequest = Type.Object({ path: FsPath, parents: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type MkdirRequest = Static<typeof MkdirRequest>;

/** `PUT content` query; the body is the file's bytes (`application/octet-stream`). */
export const PutQuery = Type.Object(
  {
    path: FsPath,
    /** Replace an existing file (atomically, once the new one is complete). Default false: 409 `PATH_EXISTS`. */
    overwrite: Type.Optional(Type.Boolean()),
    /** Default: the cluster's (64 MiB unless configured). */
    blockSize: Type.Optional(Type.Integer({ minimum: fsLimits.minBlockSizeBytes, maximum: fsLimits.maxBlockSizeBytes })),
    /** Default: min(the cluster's, healthy workers). */
    replication: Type.Optional(Type.Integer({ minimum: 1, maximum: fsLimits.maxReplication })),
  },
  { additionalProperties: false },
);
export type PutQuery = Static<typeof PutQuery>;

/** `POST remove`: a file, an empty directory, or with `recursive` a whole tree. */
export const RemoveRequest = Type.Object(
  {
    path: FsPath,
    recursive: Type.Optional(Type.Boolean()),
    /** Delete at once instead of moving it to the project's trash (`fs-trash.ts`). */
    permanent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RemoveRequest = Static<typeof RemoveRequest>;

export const RemoveReply = Type.Object({
  path: Type.String(),
  files: Type.Integer({ minimum: 0 }),
  dirs: Type.Integer({ minimum: 0 }),
  /** The trash entry it became; absent when it was removed permanently. */
  trashId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type RemoveReply = Static<typeof RemoveReply>;

/** `POST move`: renames `from` to `to` (which must not exist) within one project. */
export const MoveRequest = Type.Object({ from: FsPath, to: FsPath }, { additionalProperties: false });
export type MoveRequest = Static<typeof MoveRequest>;

export const ReplicaState = Type.Union([Type.Literal('writing'), Type.Literal('finalized'), Type.Literal('corrupt')]);
export type ReplicaState = Static<typeof ReplicaState>;

/** Where a file's blocks are (as `hdfs fsck -files -blocks -locations`); replicas in the order the head reads them. */
export const BlockLocations = Type.Object({
  path: Type.String(),
  blocks: Type.Array(
    Type.Object({
      index: Type.Integer({ minimum: 0 }),
      blockId: Type.String(),
      size: Type.Integer({ minimum: 0 }),
      sha256: Type.String(),
      replicas: Type.Array(Type.Object({ hostId: Type.String(), state: ReplicaState })),
    }),
  ),
});
export type BlockLocations = Static<typeof BlockLocations>;

/** Bounds of upload sessions and range reads. */
export const uploadLimits = {
  /** Largest file an upload may declare: 16 TiB. */
  maxFileBytes: 16 * 1024 ** 4,
  /** Upload sessions one user may hold open at once. */
  maxOpenPerUser: 64,
} as const;

/** An upload session's id: 128 random bits, hex. */
export const UploadId = Type.String({ pattern: '^[0-9a-f]{32}$' });

/**
 * `POST uploads`: opens a resumable upload of `path` (data.write). With `size`, the
 * project's quota is checked before any byte moves and `complete` wants exactly that many.
 */
export const CreateUploadRequest = Type.Object(
  {
    path: FsPath,
    /** The file's size, when known (the desktop always knows it). */
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: uploadLimits.maxFileBytes })),
    overwrite: Type.Optional(Type.Boolean()),
    blockSize: Type.Optional(Type.Integer({ minimum: fsLimits.minBlockSizeBytes, maximum: fsLimits.maxBlockSizeBytes })),
    replication: Type.Optional(Type.Integer({ minimum: 1, maximum: fsLimits.maxReplication })),
  },
  { additionalProperties: false },
);
export type CreateUploadRequest = Static<typeof CreateUploadRequest>;

/** An upload session as the head keeps it. `committedBytes` is where the next append must start. */
export const UploadSession = Type.Object({
  uploadId: UploadId,
  path: Type.String(),
  size: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** Bytes in blocks every replica acknowledged; a multiple of `blockSize` until the last block. */
  committedBytes: Type.Integer({ minimum: 0 }),
  blockSize: Type.Integer({ minimum: 0 }),
  replication: Type.Integer({ minimum: 0 }),
  /** When the head forgets it unless it is used again. */
  expiresAtMs: Type.Number(),
});
export type UploadSession = Static<typeof UploadSession>;

/** The `:uploadId` of the upload routes. */
export const UploadParams = Type.Object({ uploadId: UploadId }, { additionalProperties: false });
export type UploadParams = Static<typeof UploadParams>;

/**
 * `PUT upload` query; the body is the file's bytes from `offset`, which must equal
 * `committedBytes`. `final` marks the file's last bytes when its size was not declared.
 */
export const AppendQuery = Type.Object(
  { offset: Type.Integer({ minimum: 0, maximum: uploadLimits.maxFileBytes }), final: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AppendQuery = Static<typeof AppendQuery>;

/** `GET content` query: the whole file, or `length` bytes from `offset` (to the end without `length`). */
export const ContentQuery = Type.Object(
  {
    path: FsPath,
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: uploadLimits.maxFileBytes })),
    length: Type.Optional(Type.Integer({ minimum: 0, maximum: uploadLimits.maxFileBytes })),
  },
  { additionalProperties: false },
);
export type ContentQuery = Static<typeof ContentQuery>;

/** Head routes of the filesystem (client routes: a user's token). */
export const fsRoutes = {
  /** GET `PathQuery` → `FileStat` (data.read). */
  stat: '/v1/fs/stat',
  /** GET `ListQuery` → `ListPage` (data.read; `/Projects` lists the projects the caller reads). */
  list: '/v1/fs/list',
  /** POST `MkdirRequest` → `FileStat` (data.write inside a dataset; data.import for a dataset). */
  mkdir: '/v1/fs/mkdir',
  /** GET `ContentQuery` → the bytes, or a range of them (data.read); PUT `PutQuery` + bytes → `FileStat` (data.write). */
  content: '/v1/fs/content',
  /** POST `RemoveRequest` → `RemoveReply` (data.write; data.import for a dataset). */
  remove: '/v1/fs/remove',
  /** POST `MoveRequest` → `FileStat` (data.write; data.import when a dataset is involved). */
  move: '/v1/fs/move',
  /** GET `PathQuery` → `BlockLocations` of a file (data.read). */
  blocks: '/v1/fs/blocks',
  /** POST `CreateUploadRequest` → `UploadSession` (data.write; 507 `QUOTA_EXCEEDED` when the size does not fit). */
  uploads: '/v1/fs/uploads',
  /** GET → `UploadSession`; PUT `AppendQuery` + bytes → `UploadSession`; DELETE → `{uploadId}` (its creator, data.write). */
  upload: '/v1/fs/uploads/:uploadId',
  /** POST → `FileStat`: the file becomes visible, atomically (its creator, data.write). */
  uploadComplete: '/v1/fs/uploads/:uploadId/complete',
  /** GET `SearchQuery` → `SearchReply`: names containing the query under a project or dataset (data.read). */
  search: '/v1/fs/search',
  /** GET `SharesQuery` → `SharesReply` (data.read); POST `ShareRequest` → `Share` (data.share in the dataset's project). protocol/fs-shares.ts */
  shares: '/v1/fs/shares',
  /** POST `AcceptShareRequest` → `Share` (data.share in the project it is shared with). */
  shareAccept: '/v1/fs/shares/accept',
  /** POST `UnshareRequest` → `Share` (data.share in either project). */
  shareRemove: '/v1/fs/shares/remove',
  /** GET `TrashQuery` → `TrashReply` (data.read). protocol/fs-trash.ts */
  trash: '/v1/fs/trash',
  /** POST `RestoreRequest` → `FileStat` (what the removal needed). */
  trashRestore: '/v1/fs/trash/restore',
  /** GET `FsckQuery` → `FsckReport` (protocol/fsck.ts; the admin, or a Data Owner under their project). */
  fsck: '/v1/fs/fsck',
  /** GET → `FsStatus`: safe mode and what it waits for (any user). */
  status: '/v1/fs/status',
} as const;

/** Most results one search returns. */
export const searchLimits = { maxResults: 200, defaultResults: 100, maxQueryBytes: 255 } as const;

/** `GET search`: case-insensitive substring of names under `path` (a project or a dataset, or a directory in one). */
export const SearchQuery = Type.Object(
  {
    path: FsPath,
    query: Type.String({ minLength: 1, maxLength: 1024 }),
    /** Default 100, at most 200. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: searchLimits.maxResults })),
    /** `newest` (default): most recently modified first; `path`: in path order. */
    order: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('path')])),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

/** What a search found; `truncated` when more names matched than `limit`. */
export const SearchReply = Type.Object({ entries: Type.Array(FileStat), truncated: Type.Boolean() });
export type SearchReply = Static<typeof SearchReply>;
