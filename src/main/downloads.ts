// Every file saved from the window passes the download policy (core/domain/download-policy.ts) before it reaches the disk.
import { decideDownload, finalSavePath, type DownloadDecision } from './core/domain/download-policy';

type Log = (event: string, fields?: Record<string, unknown>) => void;

export interface DownloadItemLike {
  getFilename(): string;
  getMimeType(): string;
  setSavePath(path: string): void;
}

export interface DownloadSessionLike {
  on(event: 'will-download', listener: (event: { preventDefault(): void }, item: DownloadItemLike, webContents: unknown) => void): unknown;
}

/**
 * Modal and synchronous: Electron takes the save path only while 'will-download' runs, so both are asked there
 * (`dialog.showMessageBoxSync` / `showSaveDialogSync` on the window that asked).
 */
export interface DownloadDialogs {
  /** The warning for a risky file; true only when the agent chose to save it anyway. */
  confirmRisky(webContents: unknown, decision: Extract<DownloadDecision, { verdict: 'warn' }>): boolean;
  /** The save dialog, offering the decided name; null when the agent cancelled. */
  chooseSavePath(webContents: unknown, fileName: string, extension: string | null): string | null;
}

/** Hooks the session: a refused or cancelled file is never written; the log names the verdict, never the file. */
export function installDownloadPolicy(session: DownloadSessionLike, options: { dialogs: DownloadDialogs; log?: Log }): void {
  const log = options.log ?? (() => {});
  session.on('will-download', (event, item, webContents) => {
    const mimeType = item.getMimeType();
    const decision = decideDownload({ fileName: item.getFilename(), mimeType });
    if (decision.verdict === 'warn' && !options.dialogs.confirmRisky(webContents, decision)) {
      event.preventDefault();
      log('download.refused', { risk: decision.risk });
      return;
    }
    const chosen = options.dialogs.chooseSavePath(webContents, decision.fileName, decision.extension);
    if (chosen === null) {
      event.preventDefault();
      return;
    }
    item.setSavePath(finalSavePath(chosen, { mimeType }, decision));
    log('download.saved', decision.verdict === 'warn' ? { verdict: 'warn', risk: decision.risk } : { verdict: 'save' });
  });
}

/** The two of Electron's `dialog` calls the policy needs, without a parent window: app-modal while they are open. */
export interface DialogLike {
  showMessageBoxSync(options: {
    type: 'warning';
    title: string;
    message: string;
    detail: string;
    buttons: string[];
    defaultId: number;
    cancelId: number;
  }): number;
  showSaveDialogSync(options: { defaultPath: string; filters?: { name: string; extensions: string[] }[] }): string | undefined;
}

const RISK_TEXT: Record<Extract<DownloadDecision, { verdict: 'warn' }>['risk'], string> = {
  extension_not_allowed: 'ends in an extension that can run a program on this computer, or that Branchline does not save as is',
  type_not_allowed: 'is of a type customers’ documents and photos do not come in',
  extension_mismatch: 'is named as one kind of file but was sent as another',
};

/** The warning and the save dialog, in words an agent can act on. */
export function downloadDialogs(dialog: DialogLike): DownloadDialogs {
  return {
    confirmRisky: (_webContents, decision) =>
      dialog.showMessageBoxSync({
        type: 'warning',
        title: 'This file may not be what it seems',
        message: `“${decision.shownName}” ${RISK_TEXT[decision.risk]}.`,
        detail:
          `Only save it if you expected this file from this customer. It will be saved as “${decision.fileName}”, ` +
          'so opening it cannot run anything; ask the customer to send a PDF or a photo if you need to read it.',
        buttons: ['Cancel', 'Save anyway'],
        defaultId: 0,
        cancelId: 0,
      }) === 1,
    chooseSavePath: (_webContents, fileName, extension) =>
      dialog.showSaveDialogSync({
        defaultPath: fileName,
        ...(extension !== null && { filters: [{ name: extension.toUpperCase(), extensions: [extension] }] }),
      }) ?? null,
  };
}
