/** While the first load runs: say what is happening, without a layout jump when it ends. */
import { LoaderCircle } from 'lucide-react';

export function LoadingView() {
  return (
    <div className="loading-view" role="status" aria-live="polite">
      <LoaderCircle className="spin" size={18} aria-hidden="true" />
      <span>Connecting to the cluster…</span>
    </div>
  );
}
