// Renderer entry: builds the store, feeds it from window.branchline's events, and mounts the React tree.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { BranchlineApi } from '../shared/contract';
import { App } from './app/App';
import { connectEvents } from './app/event-feed';
import { documentFocusSource, reportOpenConversation } from './app/focus-reporter';
import { NoService } from './app/NoService';
import { browserDeps, createAppStore } from './app/compose-store';
import { applyThemeFromStore } from './app/theme';
import { provideAppStore } from './store/use-app-store';
import { installWebBridge } from './bridge/web-bridge';
import './app/app.css';

// In a plain browser (the web preview) the bridge comes over a WebSocket; in Electron the preload set it.
installWebBridge(window);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

const api = (window as { branchline?: BranchlineApi }).branchline;
if (api === undefined) {
  createRoot(root).render(<NoService />);
} else {
  const store = createAppStore(browserDeps(api));
  provideAppStore(store);
  connectEvents(api, store);
  reportOpenConversation(api, store, documentFocusSource(document, window));
  applyThemeFromStore(store, document.documentElement);
  // Whatever was typed in the last moments before the window goes away is written now.
  window.addEventListener('pagehide', () => store.getState().flushAllDrafts());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') store.getState().flushAllDrafts();
  });
  void store.getState().start();
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
