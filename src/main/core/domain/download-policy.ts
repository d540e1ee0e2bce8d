// Which files leave the window under their own name, and which need the agent's explicit yes and a name that cannot run.

/**
 * What a bank's customers send and agents keep: statements and forms (pdf, docx, xlsx, pptx, txt, csv), photos of
 * IDs and receipts (jpg, png, webp, heic), WhatsApp videos (mp4, 3gp). Each opens in a viewer, not as a program.
 * Left out on purpose: legacy Office (doc, xls, ppt) and macro formats (docm, xlsm), which run macros; archives
 * (zip, rar), which carry anything; html, svg, hta, js, exe, lnk, scripts and installers, which run.
 * The first extension of each type is the one a file of that type is given when its own name is wrong.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'application/pdf': ['pdf'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'image/heic': ['heic'],
  'image/heif': ['heif'],
  'text/plain': ['txt'],
  'text/csv': ['csv'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'video/mp4': ['mp4'],
  'video/3gpp': ['3gp'],
};

/** Our own export (Settings → Export diagnostics), the one zip the console saves. */
const DIAGNOSTICS = /^branchline-diagnostics-\d{4}-\d{2}-\d{2}\.zip$/;

export type DownloadRisk =
  /** The sender's type is not one a bank keeps (an installer, a web page, "application/octet-stream"…). */
  | 'type_not_allowed'
  /** The name ends in an extension that runs or is not on the list (statement.pdf.exe, form.hta, x.js). */
  | 'extension_not_allowed'
  /** The name says one allowed type, the sender's type another (photo.jpg sent as a PDF). */
  | 'extension_mismatch';

export type DownloadDecision =
  | { readonly verdict: 'save'; readonly fileName: string; readonly extension: string }
  | {
      readonly verdict: 'warn';
      readonly risk: DownloadRisk;
      /** The name as the customer sent it, cleaned of tricks: what the warning shows. */
      readonly shownName: string;
      /** What it is saved as if the agent goes on: no extension that runs (none at all when the type is unknown). */
      readonly fileName: string;
      readonly extension: string | null;
    };

/** Control and format characters: bidirectional overrides ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"), zero-width marks. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** A name any file system takes as one plain file name: no folders, no reserved characters, no hidden trailing dots. */
export function cleanFileName(raw: string): string {
  const base = raw.replace(INVISIBLE, '').split(/[/\\]/).pop() ?? '';
  // Windows drops trailing dots and spaces ("a.exe." runs as a.exe); a leading dot hides the file elsewhere.
  let name = base
    .replace(/[<>:"|?*]/g, '_')
    .replace(/[. ]+$/, '')
    .replace(/^[. ]+/, '')
    .slice(-150);
  const stem = name.split('.')[0] ?? '';
  if (WINDOWS_DEVICE.test(stem)) name = `_${name}`;
  return name === '' ? 'file' : name;
}

const extensionOf = (name: string): string | null => {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? null : name.slice(dot + 1).toLowerCase();
};

/** "text/plain; charset=utf-8" → "text/plain". */
const typeOf = (mimeType: string): string => mimeType.split(';')[0]!.trim().toLowerCase();

/** Decides how a file the agent asked to save leaves the window: as named, renamed to its type, or only after a warning. */
export function decideDownload(file: { fileName: string; mimeType: string }): DownloadDecision {
  const name = cleanFileName(file.fileName);
  const type = typeOf(file.mimeType);
  const extension = extensionOf(name);
  if (type === 'application/zip' && DIAGNOSTICS.test(name)) return { verdict: 'save', fileName: name, extension: 'zip' };
  const allowed = ALLOWED[type];
  // Every dot of a suspicious name goes, so no part of it can act as an extension; the type's own is added when it is known.
  const defused = (risk: DownloadRisk): DownloadDecision => ({
    verdict: 'warn',
    risk,
    shownName: name,
    fileName: `${name.replace(/\./g, '_')}${allowed === undefined ? '' : `.${allowed[0]}`}`,
    extension: allowed?.[0] ?? null,
  });
  if (allowed === undefined) return defused('type_not_allowed');
  if (extension === null) return { verdict: 'save', fileName: `${name}.${allowed[0]}`, extension: allowed[0]! };
  if (allowed.includes(extension)) return { verdict: 'save', fileName: name, extension };
  return defused(Object.values(ALLOWED).some((list) => list.includes(extension)) ? 'extension_mismatch' : 'extension_not_allowed');
}

/**
 * The path a file is finally written to, after the agent picked one in the save dialog: a name they typed goes
 * through the same rule, and one that would not pass is saved under the decision's safe name in the folder they chose.
 */
export function finalSavePath(chosenPath: string, file: { mimeType: string }, decision: DownloadDecision): string {
  const cut = Math.max(chosenPath.lastIndexOf('/'), chosenPath.lastIndexOf('\\')) + 1;
  const folder = chosenPath.slice(0, cut);
  const typed = chosenPath.slice(cut);
  const again = decideDownload({ fileName: typed, mimeType: file.mimeType });
  if (again.verdict === 'save' && (decision.verdict === 'save' || again.extension === decision.extension)) return folder + again.fileName;
  return folder + decision.fileName;
}
