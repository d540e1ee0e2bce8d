// Sending an approved template: the only thing WhatsApp allows outside the 24-hour window.
// Pick one, fill its parameters, check the preview, send.
import { useEffect, useId, useState } from 'react';
import { filledText, fillTemplate, parametersComplete } from '../ui/template-text';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

const t = strings.templates;

interface Props {
  conversationId: string;
  /** Why free text is off, or null when the agent chose a template while the window is open. */
  closedReason: 'closed' | 'never_wrote' | null;
  onDone: (() => void) | null;
}

export function TemplateComposer({ conversationId, closedReason, onDone }: Props) {
  const templates = useAppStore((s) => s.templates);
  const loadTemplates = useAppStore((s) => s.loadTemplates);
  const sendTemplate = useAppStore((s) => s.sendTemplate);
  const error = useAppStore((s) => s.composerErrors[conversationId]);
  const sending = useAppStore((s) => s.sending[conversationId] === true);
  const draftText = useAppStore((s) => s.drafts[conversationId]?.text ?? '');
  const [selected, setSelected] = useState('');
  const [parameters, setParameters] = useState<string[]>([]);
  const explanationId = useId();

  useEffect(() => {
    if (templates.status === 'idle') void loadTemplates();
  }, [templates.status, loadTemplates]);

  const template = templates.items.find((x) => `${x.name}|${x.language}` === selected);
  const complete = template !== undefined && parametersComplete(template.parameterCount, parameters);

  const send = async () => {
    if (template === undefined || !complete) return;
    if (await sendTemplate(conversationId, template, parameters.slice(0, template.parameterCount))) {
      setSelected('');
      setParameters([]);
      onDone?.();
    }
  };

  return (
    <section className="composer template-composer" aria-label={t.region}>
      {closedReason !== null && (
        <>
          <p id={explanationId} className="window-note">
            {closedReason === 'closed' ? t.windowClosed : t.neverWrote}
          </p>
          <textarea
            className="composer-input"
            aria-label={strings.composer.message}
            aria-describedby={explanationId}
            value={draftText}
            placeholder={t.freeTextOff}
            disabled
            rows={1}
            dir="auto"
          />
        </>
      )}
      {error !== undefined && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {templates.status === 'error' && (
        <p role="alert" className="form-error">
          {templates.error}{' '}
          <button type="button" className="button-link" onClick={() => void loadTemplates()}>
            {strings.connection.tryAgain}
          </button>
        </p>
      )}
      <div className="template-form">
        <label className="field">
          <span>{t.choose}</span>
          <select
            value={selected}
            onChange={(event) => {
              setSelected(event.target.value);
              setParameters([]);
            }}
          >
            <option value="">{templates.status === 'loading' ? t.loading : t.placeholder}</option>
            {templates.items.map((x) => (
              <option key={`${x.name}|${x.language}`} value={`${x.name}|${x.language}`}>
                {t.option(x.name, x.language)}
              </option>
            ))}
          </select>
        </label>
        {template !== undefined &&
          Array.from({ length: template.parameterCount }, (_, i) => (
            <label key={i} className="field">
              <span>{t.parameter(i + 1)}</span>
              <input
                type="text"
                value={parameters[i] ?? ''}
                maxLength={1024}
                dir="auto"
                onChange={(event) => {
                  const next = [...parameters];
                  next[i] = event.target.value;
                  setParameters(next);
                }}
              />
            </label>
          ))}
      </div>
      {template !== undefined && (
        <figure className="template-preview" aria-label={t.preview}>
          <figcaption className="muted">{t.preview}</figcaption>
          <p dir="auto" aria-label={filledText(template.body, parameters)}>
            {fillTemplate(template.body, parameters).map((part, i) =>
              part.parameter === null ? <span key={i}>{part.text}</span> : <mark key={i}>{part.text}</mark>,
            )}
          </p>
        </figure>
      )}
      <div className="composer-foot">
        <button type="button" className="button-primary" disabled={!complete || sending} onClick={() => void send()}>
          {sending ? strings.composer.sending : t.send}
        </button>
        {onDone !== null && (
          <button type="button" className="button-quiet" onClick={onDone}>
            {t.back}
          </button>
        )}
      </div>
    </section>
  );
}
