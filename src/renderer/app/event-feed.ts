// Feeds the store from window.branchline's events, outside React: the one place events enter the UI.
import type { BranchlineApi } from '../../shared/contract';
import type { AppStore } from '../store/app-state';

/** Subscribes every event the UI uses; returns a function that unsubscribes them all. */
export function connectEvents(api: Pick<BranchlineApi, 'on'>, store: AppStore): () => void {
  const state = () => store.getState();
  const unsubscribers = [
    api.on('connection.changed', (payload) => state().applyConnection(payload)),
    api.on('sync.progress', (payload) => state().applySync(payload)),
    api.on('conversations.changed', (payload) => state().applySummaries(payload.items)),
    api.on('conversations.removed', (payload) => state().conversationsRemoved(payload.items)),
    api.on('conversations.takenOver', (payload) => state().conversationsTakenOver(payload.items)),
    api.on('messages.changed', (payload) => state().applyMessages(payload.conversationId, payload.messages)),
    api.on('messages.removed', (payload) => state().applyRemoved(payload.conversationId, payload.messageIds)),
    api.on('settings.changed', (payload) => state().applySettings(payload)),
    api.on('session.changed', (payload) => state().sessionChanged(payload)),
    api.on('session.sso', (payload) => state().applySsoOutcome(payload)),
    api.on('app.status', (payload) => state().applyAppStatus(payload)),
    api.on('navigation.openConversation', (payload) => {
      state().clearSearch();
      void state().openConversation(payload.conversationId);
    }),
    // notification.show is the adapter's business (the OS notification and its sound), not the page's.
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
