/**
 * Finding files and directories by name (`GET /v1/fs/search`): a case-insensitive
 * substring of their names, under a project or a dataset (or a directory in one) the
 * caller reads. Under a project, the datasets shared with it and accepted are searched
 * too. One recursive walk in SQLite over the (parent, name) index; the newest first or in
 * path order; at most `searchLimits.maxResults`.
 */
import { HopsError } from '../../protocol/errors.ts';
import { fsPathRules, parseFsPath, quotePath, searchLimits, showPath, utf8Length, type SearchReply } from '../../protocol/fs.ts';
import type { User } from '../../protocol/projects.ts';
import { NamespaceAccess } from './namespace-access.ts';
import { fileStat, type NamespaceStore, type SearchRoot } from './namespace-store.ts';
import type { ProjectStore } from './project-store.ts';

const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

export interface SearchOptions {
  limit?: number | undefined;
  order?: 'newest' | 'path' | undefined;
}

export class NamespaceSearch {
  private readonly store: NamespaceStore;
  private readonly access: NamespaceAccess;

  constructor(store: NamespaceStore, projects: ProjectStore) {
    this.store = store;
    this.access = new NamespaceAccess(store, projects);
  }

  /** Names under `path` containing `query`, ignoring case (data.read on `path`). */
  search(caller: User, path: string, query: string, options: SearchOptions = {}): SearchReply {
    const parts = parseFsPath(path);
    if (parts.level === 'root' || parts.level === 'projects') {
      throw new HopsError('PATH_INVALID', `Invalid path ${quotePath(path)}: it is above every project (rule search-scope: ${fsPathRules['search-scope']}).`, { field: '/path' });
    }
    checkQuery(query);
    const limit = Math.min(options.limit ?? searchLimits.defaultResults, searchLimits.maxResults);
    const scope = this.access.pathScope(caller, parts, 'data.read', `searching ${path}`);
    let dir = scope.dir;
    for (const name of parts.names.slice(2)) {
      const child = dir.type === 'dir' ? this.store.child(dir.id, name) : undefined;
      if (child === undefined) throw new HopsError('PATH_NOT_FOUND', `${showPath(path)} does not exist.`);
      dir = child;
    }
    if (dir.type !== 'dir') throw new HopsError('NOT_A_DIRECTORY', `${showPath(path)} is a file; search the directory it is in.`);
    const roots: SearchRoot[] = [{ id: dir.id, path }];
    if (parts.level === 'project') {
      for (const share of this.store.shares.acceptedInto(scope.record.id, undefined, Number.MAX_SAFE_INTEGER)) roots.push({ id: share.datasetId, path: share.path });
    }
    const hits = this.store.search(roots, query, options.order ?? 'newest', limit + 1);
    return { entries: hits.slice(0, limit).map((hit) => fileStat(hit.path, hit.inode)), truncated: hits.length > limit };
  }
}

/** A query is a piece of a name: no control character, at most a name's length. */
function checkQuery(query: string): void {
  const control = controlCharacter.exec(query);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new HopsError('VALIDATION', `Invalid search query: it holds U+${code} (rule no-control-characters: ${fsPathRules['no-control-characters']}).`, { field: '/query' });
  }
  if (utf8Length(query) > searchLimits.maxQueryBytes) {
    throw new HopsError('VALIDATION', `Invalid search query: it is ${utf8Length(query)} bytes long (rule name-length: ${fsPathRules['name-length']}).`, { field: '/query' });
  }
}

