/**
 * The contents of one file of the cluster filesystem: a table's first rows in a grid, an
 * image, highlighted text, or why there is nothing to show; marked when read from the
 * offline copy. The explorer's preview pane mounts it.
 */
import { RefreshCw } from 'lucide-react';
import { useState } from 'react';
import { OfflineBadge } from '../offline/OfflineBadge.tsx';
import { CodeView } from './CodeView.tsx';
import { tableSummary } from './preview-summary.ts';
import { TableGrid } from './TableGrid.tsx';
import { useFilePreview } from './use-file-preview.ts';
import './file-preview.css';

export interface FilePreviewProps {
  cluster?: string;
  path: string;
}

export function FilePreview({ cluster, path }: FilePreviewProps) {
  const [attempt, setAttempt] = useState(0);
  const state = useFilePreview(cluster, path, attempt);
  if (state.status === 'loading') {
    return (
      <div className="file-preview file-preview-loading" data-testid="file-preview" data-state="loading" aria-busy="true">
        Reading the start of the file…
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="file-preview file-preview-error" data-testid="file-preview" data-state="error" role="alert">
        <p className="file-preview-error-message">{state.error.message}</p>
        {state.error.hint !== '' && <p className="file-preview-error-hint">{state.error.hint}</p>}
        <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
          <RefreshCw size={14} aria-hidden="true" /> Try again
        </button>
      </div>
    );
  }
  const { preview } = state;
  return (
    <div className="file-preview" data-testid="file-preview" data-state="ready" data-kind={preview.kind}>
      {preview.offline !== undefined && <OfflineBadge copiedAtMs={preview.offline.copiedAtMs} />}
      {preview.kind === 'table' && (
        <>
          <p className="file-preview-summary">
            <span className="file-preview-format">{preview.format.toUpperCase()}</span> {tableSummary(preview)}
          </p>
          <TableGrid table={preview} />
        </>
      )}
      {preview.kind === 'image' && (
        <img className="file-preview-image" src={`data:${preview.mime};base64,${preview.dataBase64}`} alt={`Contents of ${path}`} data-testid="file-preview-image" />
      )}
      {preview.kind === 'text' && (
        <>
          {preview.notice !== undefined && <p className="file-preview-notice">{preview.notice}</p>}
          <CodeView text={preview.text} language={preview.language} />
          {preview.truncated && <p className="file-preview-summary">Only the start of the file is shown.</p>}
        </>
      )}
      {preview.kind === 'none' && <p className="file-preview-none">{preview.reason}</p>}
    </div>
  );
}
