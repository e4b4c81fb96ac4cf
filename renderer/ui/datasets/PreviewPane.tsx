/**
 * The pane right of the file list for the file picked with Enter or a double click: its
 * facts, its actions, and its contents (a table's first rows, text, an image).
 */
import { Download, X } from 'lucide-react';
import type { FileStat } from '../../../protocol/fs.ts';
import { formatBytes } from '../../format/bytes.ts';
import { formatExactTime } from '../../format/time.ts';
import { HealthBadge } from './HealthBadge.tsx';
import { FilePreview } from './preview/FilePreview.tsx';

export interface PreviewPaneProps {
  cluster: string;
  path: string;
  /** The file as listed, when it is among the rows read. */
  entry: FileStat | undefined;
  onDownload(entry: FileStat): void;
  onClose(): void;
}

export function PreviewPane({ cluster, path, entry, onDownload, onClose }: PreviewPaneProps) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (
    <aside className="preview-pane" aria-label={`Preview of ${name}`} data-testid="preview-pane" data-path={path}>
      <header className="preview-header">
        <h2 className="preview-title mono" title={path}>
          {name}
        </h2>
        {entry !== undefined && (
          <button type="button" className="icon-button" aria-label={`Download ${name}`} title="Download" onClick={() => onDownload(entry)}>
            <Download size={14} aria-hidden="true" />
          </button>
        )}
        <button type="button" className="icon-button" aria-label="Close preview" title="Close preview (Escape)" onClick={onClose}>
          <X size={14} aria-hidden="true" />
        </button>
      </header>
      {entry !== undefined && (
        <dl className="preview-facts">
          <dt>Size</dt>
          <dd className="num">{formatBytes(entry.size)}</dd>
          <dt>Modified</dt>
          <dd>{formatExactTime(entry.mtimeMs)}</dd>
          {/* An offline copy keeps neither replicas nor an author: nothing is shown rather than zeros. */}
          {entry.replication > 0 && (
            <>
              <dt>Replication</dt>
              <dd>
                <HealthBadge replication={entry.replication} health={entry.health} />
              </dd>
            </>
          )}
          {entry.createdBy !== '' && (
            <>
              <dt>Created by</dt>
              <dd>{entry.createdBy}</dd>
            </>
          )}
        </dl>
      )}
      <FilePreview cluster={cluster} path={path} />
    </aside>
  );
}
