/**
 * The Datasets side bar's tree, as plain data: projects → datasets → folders, each folder's
 * sub-folders read lazily a page at a time (`dataset.list` with `nextCursor`), and which
 * folders are open. Pure functions, so the rules are tested without a window.
 */
import type { FileStat, ListPage } from '../../protocol/fs.ts';
import type { LoadProblem } from './cluster-slice.ts';

/** The directory whose children are the tree's first level: one entry per readable project. */
export const TREE_ROOT = '/Projects';

export interface TreeFolder {
  /** Sub-folder paths read so far, in the head's order (by name). */
  children: string[];
  /** More sub-folders to read (`nextCursor` of the last page); null once all are read. */
  nextCursor: string | null;
  /** The first page came. */
  loaded: boolean;
  loading: boolean;
  problem: LoadProblem | null;
}

/** A dataset of another project that a project's listing shows, shared with it. */
export interface SharedMark {
  /** The project listing it. */
  into: string;
  readOnly: boolean;
}

export interface DatasetTree {
  folders: Record<string, TreeFolder>;
  /** Open folders (their children show). */
  expanded: Record<string, true>;
  /** Datasets shared into a project, by their real path. */
  shared: Record<string, SharedMark>;
}

export const emptyTree: DatasetTree = { folders: {}, expanded: {}, shared: {} };

const unread: TreeFolder = { children: [], nextCursor: null, loaded: false, loading: false, problem: null };

export function folderOf(tree: DatasetTree, path: string): TreeFolder {
  return tree.folders[path] ?? unread;
}

/** A read of `path`'s first page (`more` false) or next page started. */
export function treeReadStarted(tree: DatasetTree, path: string): DatasetTree {
  return { ...tree, folders: { ...tree.folders, [path]: { ...folderOf(tree, path), loading: true, problem: null } } };
}

/** A page of `path` came: its directories join the tree (the first page replaces what was there). */
export function treePageLoaded(tree: DatasetTree, path: string, page: ListPage, more: boolean): DatasetTree {
  const before = folderOf(tree, path);
  const dirs = page.entries.filter((e: FileStat) => e.type === 'dir').map((e) => e.path);
  const children = more ? [...before.children, ...dirs.filter((d) => !before.children.includes(d))] : dirs;
  const sharedHere = page.entries.filter((e) => e.sharedFrom !== undefined);
  const shared = sharedHere.length === 0 ? tree.shared : { ...tree.shared };
  for (const e of sharedHere) shared[e.path] = { into: path, readOnly: e.sharedFrom?.readOnly ?? true };
  return {
    ...tree,
    shared,
    folders: { ...tree.folders, [path]: { children, nextCursor: page.nextCursor, loaded: true, loading: false, problem: null } },
  };
}

export function treeReadFailed(tree: DatasetTree, path: string, problem: LoadProblem): DatasetTree {
  return { ...tree, folders: { ...tree.folders, [path]: { ...folderOf(tree, path), loading: false, problem } } };
}

export function treeToggled(tree: DatasetTree, path: string, open: boolean): DatasetTree {
  const expanded = { ...tree.expanded };
  if (open) expanded[path] = true;
  else delete expanded[path];
  return { ...tree, expanded };
}

/** Forgets what was read under `path` (after a change there), keeping which folders are open. */
export function treeForget(tree: DatasetTree, path: string): DatasetTree {
  const folders = { ...tree.folders };
  delete folders[path];
  return { ...tree, folders };
}

/** One line of the tree as drawn: a folder, or a "more" line that reads the next page. */
export type TreeRow =
  | {
      kind: 'folder';
      path: string;
      name: string;
      /** 1 for a project, 2 for a dataset (also one shared into the project), deeper for folders. */
      depth: number;
      expanded: boolean;
      loading: boolean;
      problem: LoadProblem | null;
      shared: SharedMark | null;
    }
  | { kind: 'more'; path: string; parent: string; depth: number };

/**
 * The lines to draw, depth first: every open folder's children follow it, then a "more"
 * line when it has unread pages. Rows of folders never read are simply absent.
 */
export function visibleTreeRows(tree: DatasetTree, root = TREE_ROOT): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (parent: string, depth: number) => {
    const folder = folderOf(tree, parent);
    for (const path of folder.children) {
      const own = folderOf(tree, path);
      const expanded = tree.expanded[path] === true;
      const shared = tree.shared[path]?.into === parent ? tree.shared[path] : null;
      rows.push({ kind: 'folder', path, name: path.slice(path.lastIndexOf('/') + 1), depth, expanded, loading: own.loading, problem: own.problem, shared });
      if (expanded) walk(path, depth + 1);
    }
    if (folder.nextCursor !== null) rows.push({ kind: 'more', path: `${parent}\u0000more`, parent, depth });
  };
  walk(root, 1);
  return rows;
}

/** The row Left moves to from row `index`: the nearest row above it one level up, if any. */
export function treeParentRow(rows: readonly TreeRow[], index: number): number {
  const depth = rows[index]?.depth ?? 0;
  for (let i = index - 1; i >= 0; i--) if (rows[i]!.depth < depth) return i;
  return -1;
}
