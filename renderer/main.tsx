/** Entry point: pick the transport, start the session, mirror readiness, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { mirrorReadiness } from './app/readiness.ts';
import { startEditor } from './app/editor-window.ts';
import { createSession } from './app/session.ts';
import { appStore } from './store/app-store.ts';
import { getHops, watchLink } from './transport/index.ts';
import { App } from './ui/App.tsx';
import { SessionContext } from './ui/session-context.ts';
import './styles/tokens.css';
import './styles/base.css';
import './styles/workbench.css';
import './styles/cluster.css';
import './styles/palette.css';
import './styles/hosts-table.css';
import './styles/terminal.css';
import './styles/projects.css';
import './styles/datasets.css';
import './styles/editor.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element.');

const session = createSession({ hops: getHops(), store: appStore });
mirrorReadiness(appStore, root);
watchLink((state) => session.linkChanged(state));
void session.load();
startEditor();

createRoot(root).render(
  <StrictMode>
    <SessionContext value={session}>
      <App />
    </SessionContext>
  </StrictMode>,
);
