// Shared contact cards: whether a number on a card already has a conversation here, and starting one with it.
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export interface ContactSlice {
  /** By WhatsApp id: the conversation with that number (null: none yet); absent until looked up. */
  contactConversations: Record<string, string | null>;
  /** The last start that failed, by WhatsApp id. */
  contactErrors: Record<string, string>;
  lookUpContact(waId: string): Promise<void>;
  /** Opens the conversation with this number, starting one here if there is none (the relay learns of it when the first template goes). */
  startConversationWith(waId: string): Promise<void>;
}

export const createContactSlice: SliceCreator<ContactSlice> = (set, get, { api }) => ({
  contactConversations: {},
  contactErrors: {},

  async lookUpContact(waId) {
    if (Object.hasOwn(get().contactConversations, waId)) return;
    try {
      const { conversationId } = await api['conversations.findByWaId']({ waId });
      set({ contactConversations: { ...get().contactConversations, [waId]: conversationId } });
    } catch {
      // The button then offers to start one; starting finds an existing conversation anyway.
    }
  },

  async startConversationWith(waId) {
    const { [waId]: _previous, ...errors } = get().contactErrors;
    set({ contactErrors: errors });
    try {
      const { conversationId } = await api['conversations.startWith']({ waId });
      set({ contactConversations: { ...get().contactConversations, [waId]: conversationId } });
      await get().openConversation(conversationId);
    } catch (error) {
      set({ contactErrors: { ...get().contactErrors, [waId]: errorText(error) } });
    }
  },
});
