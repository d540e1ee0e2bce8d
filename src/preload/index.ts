// Preload (sandboxed, bundled to one CommonJS file): puts window.branchline in the page and nothing else.
// ipcRenderer stays here; the page gets one function per contract method and `on` (see bridge-api.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBranchline } from './bridge-api';

exposeBranchline(contextBridge, ipcRenderer);
