/**
 * Text files of the cluster filesystem opened in the editor, and the drafts of their
 * unsaved changes kept in the workspace. A request may carry at most
 * `limits.maxRequestBytes`, so text longer than one piece travels staged: pieces are
 * appended to a staged text in the core, then a write or draft names it by `stageId`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FsPath } from './fs.ts';
import { TextLanguage } from './previews.ts';

export const textFileLimits = {
  /** Largest file the editor opens or saves: bigger files are data, read in the explorer's preview. */
  maxBytes: 4 * 1024 * 1024,
  /**
   * Characters of text in one request. JSON may spell a character with up to six
   * (`\u0000`), so a piece stays under the 256 KiB request limit whatever it holds.
   */
  maxPieceChars: 32 * 1024,
  /** A staged text not used within this is dropped. */
  stageTtlMs: 2 * 60_000,
  /** Staged texts the core keeps at once, across all windows. */
  maxStaged: 16,
  /** Drafts kept per workspace; the oldest beyond it are dropped. */
  maxDrafts: 500,
} as const;

export const StageId = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const TextPiece = Type.String({ maxLength: textFileLimits.maxPieceChars });

/** A text file as the editor opens it. */
export const TextFile = Type.Object({
  path: Type.String(),
  text: Type.String(),
  /** The file's version when read: a save or a draft names it to notice changes made since. */
  mtimeMs: Type.Number(),
  size: Type.Integer({ minimum: 0 }),
  language: TextLanguage,
});
export type TextFile = Static<typeof TextFile>;

/** A draft without its text, for lists. */
export const DraftSummary = Type.Object({
  cluster: Type.String(),
  path: Type.String(),
  /** The file's mtime the changes were made on; null for a file not on the cluster yet. */
  baseMtimeMs: Type.Union([Type.Number(), Type.Null()]),
  savedAtMs: Type.Number(),
  /** UTF-8 bytes of the draft's text. */
  bytes: Type.Integer({ minimum: 0 }),
});
export type DraftSummary = Static<typeof DraftSummary>;

export const Draft = Type.Composite([DraftSummary, Type.Object({ text: Type.String() })]);
export type Draft = Static<typeof Draft>;

/** The text a write or draft carries: inline when it fits one piece, else a staged text by id. */
export const TextSource = {
  text: Type.Optional(TextPiece),
  stageId: Type.Optional(StageId),
};

/** Where a text file lives: a path of the cluster filesystem. */
export const TextFilePath = FsPath;
