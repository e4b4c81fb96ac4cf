/**
 * Reads a file's preview from the desktop core when the pane shows it: loading, then the
 * preview or the core's error (with its hint). A newer path replaces an answer still on
 * its way, so a fast click through files never shows a stale one.
 */
import { useEffect, useState } from 'react';
import type { WireError } from '../../../../protocol/errors.ts';
import type { FilePreview } from '../../../../protocol/previews.ts';
import { getHops } from '../../../transport/index.ts';

export type PreviewState = { status: 'loading' } | { status: 'ready'; preview: FilePreview } | { status: 'error'; error: WireError };

export function useFilePreview(cluster: string | undefined, path: string, attempt: number): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    getHops()
      .dataset.preview({ path, ...(cluster === undefined ? {} : { cluster }) })
      .then(
        (preview) => current && setState({ status: 'ready', preview }),
        (err: unknown) => current && setState({ status: 'error', error: asWireError(err) }),
      );
    return () => {
      current = false;
    };
  }, [cluster, path, attempt]);
  return state;
}

function asWireError(err: unknown): WireError {
  const wire = err as Partial<WireError> | null;
  if (wire !== null && typeof wire === 'object' && typeof wire.code === 'string' && typeof wire.message === 'string') {
    return { code: wire.code, message: wire.message, hint: wire.hint ?? '' } as WireError;
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), hint: '' };
}
