// Tells the service which conversation is on screen and whether the window has focus (conversations.setOpen),
// so it does not notify about the chat the agent is reading.
import type { BranchlineApi } from '../../shared/contract';
import type { AppStore } from '../store/app-state';

export interface FocusSource {
  hasFocus(): boolean;
  /** Calls back on focus, blur and visibility changes; returns an unsubscribe. */
  onChange(callback: () => void): () => void;
}

export function reportOpenConversation(api: Pick<BranchlineApi, 'conversations.setOpen'>, store: AppStore, focus: FocusSource): () => void {
  let last = '';
  const report = () => {
    const conversationId = store.getState().openId;
    const windowFocused = focus.hasFocus();
    const key = `${conversationId ?? ''}|${windowFocused}`;
    if (key === last) return;
    last = key;
    api['conversations.setOpen']({ conversationId, windowFocused }).catch(() => {
      last = ''; // try again at the next change
    });
  };
  const unsubscribeStore = store.subscribe((state, previous) => {
    if (state.openId !== previous.openId) report();
  });
  const unsubscribeFocus = focus.onChange(report);
  report();
  return () => {
    unsubscribeStore();
    unsubscribeFocus();
  };
}

export function documentFocusSource(doc: Document, win: Window): FocusSource {
  return {
    hasFocus: () => doc.visibilityState === 'visible' && doc.hasFocus(),
    onChange(callback) {
      win.addEventListener('focus', callback);
      win.addEventListener('blur', callback);
      doc.addEventListener('visibilitychange', callback);
      return () => {
        win.removeEventListener('focus', callback);
        win.removeEventListener('blur', callback);
        doc.removeEventListener('visibilitychange', callback);
      };
    },
  };
}
