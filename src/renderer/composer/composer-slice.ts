// The composer: drafts saved as the agent types, sending text, files and templates. Nothing typed is dropped:
// a draft is kept until the service has queued the message, and put back if it refused.
import { MAX_TEXT_LENGTH, type Template } from '../../shared/domain';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';
import { strings } from '../ui/strings';
import { checkAttachment } from './file-check';

/** Typing pauses this long before the draft is written (drafts.save). */
export const DRAFT_SAVE_DELAY_MS = 400;

export interface DraftState {
  text: string;
  /** drafts.get has answered, or the agent typed before it did. */
  loaded: boolean;
  save: 'idle' | 'pending' | 'saved' | 'error';
}

export interface Attachment {
  name: string;
  mimeType: string;
  size: number;
  kind: 'image' | 'document';
  /** The file's bytes as base64, read only when sending. */
  read(): Promise<string>;
}

export interface TemplatesState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: Template[];
  error: string | null;
}

export interface ComposerSlice {
  drafts: Record<string, DraftState>;
  composerErrors: Record<string, string>;
  attachments: Record<string, Attachment>;
  sending: Record<string, boolean>;
  templates: TemplatesState;
  loadDraft(conversationId: string): Promise<void>;
  setDraft(conversationId: string, text: string): void;
  /** Writes a pending draft now (switching conversation, leaving the page). */
  flushDraft(conversationId: string): void;
  flushAllDrafts(): void;
  sendDraft(conversationId: string): Promise<void>;
  attachFile(conversationId: string, file: { name: string; type: string; size: number; read(): Promise<string> }): void;
  removeAttachment(conversationId: string): void;
  loadTemplates(): Promise<void>;
  sendTemplate(conversationId: string, template: Template, parameters: readonly string[]): Promise<boolean>;
  setComposerError(conversationId: string, message: string | null): void;
}

export const createComposerSlice: SliceCreator<ComposerSlice> = (set, get, { api, clock }) => {
  const timers = new Map<string, () => void>();

  const draft = (id: string): DraftState => get().drafts[id] ?? { text: '', loaded: false, save: 'idle' };
  const patchDraft = (id: string, patch: Partial<DraftState>) => set({ drafts: { ...get().drafts, [id]: { ...draft(id), ...patch } } });
  const setError = (id: string, message: string | null) => {
    const { [id]: _old, ...rest } = get().composerErrors;
    set({ composerErrors: message === null ? rest : { ...rest, [id]: message } });
  };
  const setSending = (id: string, busy: boolean) => set({ sending: { ...get().sending, [id]: busy } });

  const save = async (id: string) => {
    timers.get(id)?.();
    timers.delete(id);
    const text = draft(id).text;
    try {
      await api['drafts.save']({ conversationId: id, text });
      // Only "saved" if nothing was typed while the call was out.
      if (draft(id).text === text) patchDraft(id, { save: 'saved' });
    } catch {
      patchDraft(id, { save: 'error' });
    }
  };

  const replaceText = (id: string, text: string) => {
    patchDraft(id, { text, loaded: true, save: 'pending' });
    void save(id);
  };

  return {
    drafts: {},
    composerErrors: {},
    attachments: {},
    sending: {},
    templates: { status: 'idle', items: [], error: null },

    async loadDraft(id) {
      try {
        const { text } = await api['drafts.get']({ conversationId: id });
        // What the agent typed meanwhile wins over what was stored.
        if (!draft(id).loaded) patchDraft(id, { text, loaded: true, save: text === '' ? 'idle' : 'saved' });
      } catch {
        if (!draft(id).loaded) patchDraft(id, { loaded: true });
      }
    },

    setDraft(id, text) {
      patchDraft(id, { text, loaded: true, save: 'pending' });
      timers.get(id)?.();
      timers.set(
        id,
        clock.setTimer(DRAFT_SAVE_DELAY_MS, () => void save(id)),
      );
    },

    flushDraft(id) {
      if (timers.has(id)) void save(id);
    },

    flushAllDrafts() {
      for (const id of [...timers.keys()]) void save(id);
    },

    async sendDraft(id) {
      if (get().sending[id] === true) return;
      const attachment = get().attachments[id];
      const text = draft(id).text;
      const body = text.trim();
      if (attachment === undefined && body === '') return;
      if (body.length > MAX_TEXT_LENGTH) return setError(id, strings.composer.tooLong(MAX_TEXT_LENGTH));
      setError(id, null);
      if (get().thread?.conversationId === id && get().thread?.gapToLatest === true) void get().jumpToLatest();

      if (attachment !== undefined) {
        setSending(id, true);
        try {
          const dataBase64 = await attachment.read();
          await api['messages.sendFile']({
            conversationId: id,
            fileName: attachment.name,
            mimeType: attachment.mimeType,
            dataBase64,
            ...(body !== '' && { caption: body.slice(0, 1024) }),
          });
          // Another file may have been attached while this one was on its way: only this one is done.
          if (get().attachments[id] === attachment) {
            const { [id]: _sent, ...rest } = get().attachments;
            set({ attachments: rest });
          }
          if (draft(id).text === text) replaceText(id, '');
        } catch (error) {
          setError(id, errorText(error));
        } finally {
          setSending(id, false);
        }
        return;
      }

      // The box empties at once (the agent may type the next message), but the stored draft is cleared only
      // once the service has queued the message; the text comes back if the service refuses.
      timers.get(id)?.();
      timers.delete(id);
      patchDraft(id, { text: '', loaded: true, save: 'pending' });
      try {
        await api['messages.sendText']({ conversationId: id, body });
        void save(id);
      } catch (error) {
        const now = draft(id).text;
        replaceText(id, now === '' ? text : `${text}\n${now}`);
        setError(id, errorText(error));
      }
    },

    attachFile(id, file) {
      const verdict = checkAttachment(file.type, file.size);
      if (!verdict.ok) return setError(id, verdict.message);
      setError(id, null);
      set({ attachments: { ...get().attachments, [id]: { name: file.name, mimeType: file.type, size: file.size, kind: verdict.kind, read: file.read } } });
    },

    removeAttachment(id) {
      const { [id]: _removed, ...rest } = get().attachments;
      set({ attachments: rest });
    },

    async loadTemplates() {
      if (get().templates.status === 'loading') return;
      set({ templates: { ...get().templates, status: 'loading', error: null } });
      try {
        const { templates } = await api['templates.list']({});
        set({ templates: { status: 'ready', items: templates, error: null } });
      } catch (error) {
        set({ templates: { ...get().templates, status: 'error', error: errorText(error) } });
      }
    },

    async sendTemplate(id, template, parameters) {
      setError(id, null);
      setSending(id, true);
      try {
        await api['messages.sendTemplate']({
          conversationId: id,
          name: template.name,
          language: template.language,
          parameters: parameters.map((p) => p.trim()),
        });
        return true;
      } catch (error) {
        setError(id, errorText(error));
        return false;
      } finally {
        setSending(id, false);
      }
    },

    setComposerError: setError,
  };
};
