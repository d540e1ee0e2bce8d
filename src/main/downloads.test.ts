import { describe, expect, it } from 'vitest';
import { decideDownload } from './core/domain/download-policy';
import { downloadDialogs, installDownloadPolicy, type DownloadDialogs, type DownloadItemLike } from './downloads';

function harness(answers: { confirm: boolean; chosen: (offered: string) => string | null }) {
  let listener!: Parameters<Parameters<typeof installDownloadPolicy>[0]['on']>[1];
  const asked: { warned: string[]; offered: string[] } = { warned: [], offered: [] };
  const logged: [string, Record<string, unknown> | undefined][] = [];
  const dialogs: DownloadDialogs = {
    confirmRisky: (_wc, decision) => {
      asked.warned.push(decision.shownName);
      return answers.confirm;
    },
    chooseSavePath: (_wc, fileName) => {
      asked.offered.push(fileName);
      return answers.chosen(fileName);
    },
  };
  installDownloadPolicy({ on: (_event, l) => (listener = l) }, { dialogs, log: (e, f) => logged.push([e, f]) });
  const download = (fileName: string, mimeType: string) => {
    let cancelled = false;
    let savedTo: string | null = null;
    const item: DownloadItemLike = { getFilename: () => fileName, getMimeType: () => mimeType, setSavePath: (p) => (savedTo = p) };
    listener({ preventDefault: () => (cancelled = true) }, item, {});
    return { cancelled, savedTo };
  };
  return { download, asked, logged };
}

describe('downloads', () => {
  it('saves an allowed file where the agent chose, with no warning', () => {
    const { download, asked } = harness({ confirm: false, chosen: (name) => `/home/ana/Downloads/${name}` });
    expect(download('statement.pdf', 'application/pdf')).toEqual({ cancelled: false, savedTo: '/home/ana/Downloads/statement.pdf' });
    expect(asked.warned).toEqual([]);
  });

  it('writes nothing when the agent declines the warning, and logs the risk without the name', () => {
    const { download, asked, logged } = harness({ confirm: false, chosen: (name) => `/tmp/${name}` });
    expect(download('statement.pdf.exe', 'application/pdf')).toEqual({ cancelled: true, savedTo: null });
    expect(asked).toEqual({ warned: ['statement.pdf.exe'], offered: [] });
    expect(logged).toEqual([['download.refused', { risk: 'extension_not_allowed' }]]);
  });

  it('saves a confirmed risky file under a name that cannot run, even if the agent types the old one back', () => {
    const { download, asked } = harness({ confirm: true, chosen: () => 'C:\\Users\\ana\\Desktop\\statement.pdf.exe' });
    expect(download('statement.pdf.exe', 'application/pdf')).toEqual({ cancelled: false, savedTo: 'C:\\Users\\ana\\Desktop\\statement_pdf_exe.pdf' });
    expect(asked.offered).toEqual(['statement_pdf_exe.pdf']);
  });

  it('writes nothing when the agent cancels the save dialog', () => {
    const { download } = harness({ confirm: true, chosen: () => null });
    expect(download('receipt.png', 'image/png')).toEqual({ cancelled: true, savedTo: null });
  });

  it('asks in words an agent can act on, with Cancel as the default, and offers the safe name', () => {
    const shown: { message: string; detail: string; buttons: string[]; defaultId: number }[] = [];
    const offered: unknown[] = [];
    let pressed = 0;
    const dialogs = downloadDialogs({
      showMessageBoxSync: (options) => (shown.push(options), pressed),
      showSaveDialogSync: (options) => (offered.push(options), undefined),
    });
    const risky = decideDownload({ fileName: 'statement.pdf.exe', mimeType: 'application/pdf' });
    if (risky.verdict !== 'warn') throw new Error('expected a warning');
    expect(dialogs.confirmRisky({}, risky)).toBe(false);
    pressed = 1;
    expect(dialogs.confirmRisky({}, risky)).toBe(true);
    expect(shown[0]).toMatchObject({ message: expect.stringContaining('“statement.pdf.exe” ends in an extension that can run a program'), defaultId: 0 });
    expect(shown[0]!.buttons[shown[0]!.defaultId]).toBe('Cancel');
    expect(shown[0]!.detail).toContain('saved as “statement_pdf_exe.pdf”');
    expect(dialogs.chooseSavePath({}, 'statement_pdf_exe.pdf', 'pdf')).toBeNull();
    expect(offered).toEqual([{ defaultPath: 'statement_pdf_exe.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] }]);
  });
});
