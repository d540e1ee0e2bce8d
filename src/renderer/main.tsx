// Renderer entry: mounts the React tree. Everything it knows comes through window.branchline.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installWebBridge } from './bridge/web-bridge';
import './app/app.css';

// In a plain browser (the web preview) the bridge comes over a WebSocket; in Electron the preload set it.
installWebBridge(window);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
