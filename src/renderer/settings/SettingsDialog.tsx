// Preferences in a modal dialog: notification privacy, sounds, close-to-tray, theme; and signing out.
import { useEffect, useRef } from 'react';
import type { Settings } from '../../shared/contract';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

const t = strings.settings;
const PRIVACY: readonly Settings['notificationPrivacy'][] = ['show', 'hide', 'off'];
const THEMES: readonly Settings['theme'][] = ['system', 'light', 'dark'];

export function SettingsDialog({ onClose }: { onClose(): void }) {
  const settings = useAppStore((s) => s.settings);
  const error = useAppStore((s) => s.settingsError);
  const update = useAppStore((s) => s.updateSettings);
  const signedIn = useAppStore((s) => s.session?.signedIn === true);
  const requestSignOut = useAppStore((s) => s.requestSignOut);
  const signOutQuestion = useAppStore((s) => s.signOutQuestion);
  const cancelSignOut = useAppStore((s) => s.cancelSignOut);
  const appStatus = useAppStore((s) => s.appStatus);
  const diagnostics = useAppStore((s) => s.diagnostics);
  const exportDiagnostics = useAppStore((s) => s.exportDiagnostics);
  const privacyLocked = appStatus?.notificationPrivacyLocked === true;
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className="settings-dialog"
      aria-labelledby="settings-title"
      onClose={() => {
        cancelSignOut(); // a question left open (Escape) is not asked again next time
        onClose();
      }}
    >
      <h2 id="settings-title">{t.title}</h2>
      {settings === null ? (
        <p>{error ?? t.loading}</p>
      ) : (
        <>
          <fieldset>
            <legend>{t.notifications}</legend>
            {PRIVACY.map((value) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="privacy"
                  disabled={privacyLocked}
                  checked={settings.notificationPrivacy === value}
                  onChange={() => void update({ notificationPrivacy: value })}
                />
                {t.privacy[value]}
              </label>
            ))}
            {privacyLocked && <p className="hint">{strings.desktop.privacyLocked}</p>}
          </fieldset>
          <fieldset>
            <legend>{t.behaviour}</legend>
            <label className="choice">
              <input type="checkbox" checked={settings.sounds} onChange={(e) => void update({ sounds: e.target.checked })} />
              {t.sounds}
            </label>
            <label className="choice">
              <input type="checkbox" checked={settings.closeToTray} onChange={(e) => void update({ closeToTray: e.target.checked })} />
              {t.closeToTray}
            </label>
          </fieldset>
          <fieldset>
            <legend>{t.theme}</legend>
            {THEMES.map((value) => (
              <label key={value} className="choice">
                <input type="radio" name="theme" checked={settings.theme === value} onChange={() => void update({ theme: value })} />
                {t.themes[value]}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{strings.desktop.diagnostics}</legend>
            <p className="hint">{strings.desktop.diagnosticsHint}</p>
            <button type="button" disabled={diagnostics.state === 'exporting'} onClick={() => void exportDiagnostics()}>
              {diagnostics.state === 'exporting' ? strings.desktop.exporting : strings.desktop.exportDiagnostics}
            </button>
            {diagnostics.url !== null && diagnostics.fileName !== null && (
              <a className="button-link" href={diagnostics.url} download={diagnostics.fileName}>
                {strings.desktop.saveDiagnostics(diagnostics.fileName)}
              </a>
            )}
            {diagnostics.state === 'failed' && (
              <p role="alert" className="form-error">
                {diagnostics.message}
              </p>
            )}
            {appStatus !== null && <p className="hint">{strings.desktop.version(appStatus.version)}</p>}
          </fieldset>
          {error !== null && (
            <p role="alert" className="form-error">
              {error}
            </p>
          )}
        </>
      )}
      {signOutQuestion !== null ? (
        <SignOutQuestion queued={signOutQuestion.queued} onDone={() => ref.current?.close()} />
      ) : (
        <div className="dialog-actions">
          {signedIn && (
            <button type="button" className="button-quiet" onClick={() => void requestSignOut().then((signedOut) => signedOut && ref.current?.close())}>
              {t.signOut}
            </button>
          )}
          <button type="button" className="button-primary" onClick={() => ref.current?.close()} autoFocus>
            {t.close}
          </button>
        </div>
      )}
    </dialog>
  );
}

/** Sign-out wipes this computer's copy: first the agent says what happens to their messages not sent yet. */
function SignOutQuestion({ queued, onDone }: { queued: number; onDone(): void }) {
  const signOut = useAppStore((s) => s.signOut);
  const cancel = useAppStore((s) => s.cancelSignOut);
  const choose = (choice: 'keep' | 'discard') => void signOut(choice).then(onDone);
  return (
    <fieldset>
      <legend>{t.signOutQueued(queued)}</legend>
      <p className="hint">{t.signOutWipe}</p>
      <div className="dialog-actions">
        <button type="button" className="button-quiet" onClick={cancel}>
          {t.cancel}
        </button>
        <button type="button" className="button-quiet" onClick={() => choose('discard')}>
          {t.discardQueued}
        </button>
        <button type="button" className="button-primary" onClick={() => choose('keep')} aria-describedby="send-later-hint" autoFocus>
          {t.sendLater}
        </button>
      </div>
      <p id="send-later-hint" className="hint">
        {t.sendLaterHint}
      </p>
    </fieldset>
  );
}
