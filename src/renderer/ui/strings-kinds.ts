// Words for what customers can send since 2026 and for who they are (part of the catalogue in strings.ts): contact
// cards, orders, form answers, system lines, edits and deletions, customers without a phone number, groups.

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const kindStrings = {
  contacts: {
    label: 'Contact card',
    labelMany: (n: number) => `${n} contact cards`,
    summary: (names: string) => `Contact: ${names}`,
    summaryMany: (names: string) => `Contacts: ${names}`,
    organisation: 'Organisation',
    phone: 'Phone',
    email: 'E-mail',
    onWhatsApp: 'on WhatsApp',
    copy: 'Copy',
    copyWhat: (what: string) => `Copy ${what}`,
    copied: 'Copied',
    copyFailed: 'Could not copy: select the text instead.',
    open: 'Open conversation',
    start: 'Start conversation',
    startWhat: (number: string) => `Start a conversation with ${number}`,
    openWhat: (number: string) => `Open the conversation with ${number}`,
  },
  order: {
    label: 'Order',
    product: 'Product',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    lineTotal: 'Amount',
    total: 'Total',
    summary: (items: number, total: string) => `Order: ${plural(items, 'item', 'items')}${total === '' ? '' : `, ${total}`}`,
    note: 'Customer’s note',
  },
  interactive: {
    flow: 'Form answer',
    call_permission: 'Call permission',
    other: 'Reply',
    summary: (label: string, detail: string | null) => (detail === null ? label : `${label}: ${detail}`),
  },
  system: {
    chat_opened: 'Customer opened the chat',
    number_changed: 'Customer changed their phone number',
    numberChangedTo: (number: string) => `Customer changed their phone number to ${number}`,
    user_id_changed: 'Customer’s WhatsApp user id changed',
    identity_changed: 'Customer’s security code changed: they may have a new phone',
    other: 'WhatsApp notice',
  },
  deleted: 'Deleted by the customer',
  edited: 'edited',
  editedLabel: (n: number) => `Edited by the customer: ${plural(n, 'earlier version', 'earlier versions')}`,
  previousVersion: (n: number) => `Version ${n}`,
  identity: {
    numberHidden: 'number hidden by WhatsApp',
    username: (username: string) => `@${username}`,
    customer: 'Customer',
    group: 'WhatsApp group',
    participant: 'Participant',
    groupNote: 'Your reply goes to everyone in the group.',
    groupRegion: (subject: string) => `Group: ${subject}`,
  },
} as const;
