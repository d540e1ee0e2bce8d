import { describe, expect, it } from 'vitest';
import { cleanFileName, decideDownload, finalSavePath } from './download-policy';

const PDF = 'application/pdf';

describe('download policy', () => {
  it.each([
    ['statement.pdf', PDF, 'statement.pdf'],
    ['ID front.JPEG', 'image/jpeg', 'ID front.JPEG'],
    ['receipt.png', 'image/png', 'receipt.png'],
    ['salary.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'salary.xlsx'],
    ['notes.txt', 'text/plain; charset=utf-8', 'notes.txt'],
    // The image viewer's default name has no extension: the type gives it one.
    ['image', 'image/jpeg', 'image.jpg'],
    ['branchline-diagnostics-2026-11-24.zip', 'application/zip', 'branchline-diagnostics-2026-11-24.zip'],
  ])('saves %s (%s) as %s without a warning', (fileName, mimeType, saved) => {
    expect(decideDownload({ fileName, mimeType })).toMatchObject({ verdict: 'save', fileName: saved });
  });

  it.each([
    // A program dressed as a statement: the sender's type says PDF, so it is kept as one, with no dot left to run.
    ['statement.pdf.exe', PDF, 'extension_not_allowed', 'statement_pdf_exe.pdf'],
    ['form.hta', 'application/hta', 'type_not_allowed', 'form_hta'],
    ['invoice.js', 'text/javascript', 'type_not_allowed', 'invoice_js'],
    ['bank.lnk', 'application/octet-stream', 'type_not_allowed', 'bank_lnk'],
    ['card.pdf', 'application/x-msdownload', 'type_not_allowed', 'card_pdf'],
    ['photo.jpg', PDF, 'extension_mismatch', 'photo_jpg.pdf'],
    ['report.docm', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'extension_not_allowed', 'report_docm.docx'],
    ['archive.zip', 'application/zip', 'type_not_allowed', 'archive_zip'],
    // Right-to-left override: shown as "statementexe.pdf", it is "statement\u202Efdp.exe".
    ['statement\u202Efdp.exe', PDF, 'extension_not_allowed', 'statementfdp_exe.pdf'],
    // Windows drops the trailing dot and runs it.
    ['statement.exe.', PDF, 'extension_not_allowed', 'statement_exe.pdf'],
  ])('warns before saving %s (%s): %s, and saves it as %s', (fileName, mimeType, risk, saved) => {
    expect(decideDownload({ fileName, mimeType })).toMatchObject({ verdict: 'warn', risk, fileName: saved });
  });

  it('shows the agent the name without its tricks, and never a folder or a reserved name', () => {
    expect(decideDownload({ fileName: 'statement\u202Efdp.exe', mimeType: PDF })).toMatchObject({ shownName: 'statementfdp.exe' });
    expect(cleanFileName('..\\..\\Windows\\System32\\evil.pdf')).toBe('evil.pdf');
    expect(cleanFileName('../../.bashrc')).toBe('bashrc');
    expect(cleanFileName('CON.pdf')).toBe('_CON.pdf');
    expect(cleanFileName('a<b>:c?.pdf')).toBe('a_b__c_.pdf');
    expect(cleanFileName('...')).toBe('file');
  });

  it('puts a name the agent typed in the save dialog through the same rule', () => {
    const safe = decideDownload({ fileName: 'statement.pdf', mimeType: PDF });
    expect(finalSavePath('/home/ana/Documents/statement.pdf', { mimeType: PDF }, safe)).toBe('/home/ana/Documents/statement.pdf');
    expect(finalSavePath('C:\\Users\\ana\\Desktop\\march', { mimeType: PDF }, safe)).toBe('C:\\Users\\ana\\Desktop\\march.pdf');
    // Renamed to something that runs: the folder is kept, the name is not.
    expect(finalSavePath('C:\\Users\\ana\\Desktop\\run.exe', { mimeType: PDF }, safe)).toBe('C:\\Users\\ana\\Desktop\\statement.pdf');
    const risky = decideDownload({ fileName: 'bank.lnk', mimeType: 'application/octet-stream' });
    expect(finalSavePath('/tmp/x/bank.lnk', { mimeType: 'application/octet-stream' }, risky)).toBe('/tmp/x/bank_lnk');
  });
});
