// An order's money in words: each line's amount and the total per currency, formatted for the agent's locale.
import type { MessageContent } from '../../shared/domain';

export type OrderContent = Extract<MessageContent, { type: 'order' }>;

/** An amount with its currency ("€1,025.00"); a code the browser does not know is shown as "1,025.00 XYZ". */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount)} ${currency}`;
  }
}

/** The total per currency, in the order currencies first appear (an order normally has one). */
export function orderTotals(order: Pick<OrderContent, 'items'>): { currency: string; amount: number }[] {
  const totals = new Map<string, number>();
  // Cents as integers while adding, so 0.1 + 0.2 does not show as 0.30000000000000004.
  for (const item of order.items) totals.set(item.currency, (totals.get(item.currency) ?? 0) + Math.round(item.quantity * item.unitPrice * 100));
  return [...totals].map(([currency, cents]) => ({ currency, amount: cents / 100 }));
}

/** Everything ordered: the sum of the quantities. */
export function itemCount(order: Pick<OrderContent, 'items'>): number {
  return order.items.reduce((n, item) => n + item.quantity, 0);
}

export function formatTotals(order: Pick<OrderContent, 'items'>, locale?: string): string {
  return orderTotals(order)
    .map((t) => formatMoney(t.amount, t.currency, locale))
    .join(' + ');
}
