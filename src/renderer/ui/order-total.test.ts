// An order's total is the sum of quantity × unit price, per currency, without floating-point noise.
import { describe, expect, it } from 'vitest';
import { formatMoney, formatTotals, itemCount, orderTotals } from './order-total';

const item = (quantity: number, unitPrice: number, currency = 'EUR') => ({ productId: 'p', quantity, unitPrice, currency });

describe('orderTotals', () => {
  it('adds quantity × unit price per currency', () => {
    expect(orderTotals({ items: [item(2, 12.5), item(1, 1000)] })).toEqual([{ currency: 'EUR', amount: 1025 }]);
    expect(orderTotals({ items: [item(3, 0.1), item(1, 0.2)] })).toEqual([{ currency: 'EUR', amount: 0.5 }]);
    expect(orderTotals({ items: [item(1, 10, 'EUR'), item(1, 5, 'USD')] })).toEqual([
      { currency: 'EUR', amount: 10 },
      { currency: 'USD', amount: 5 },
    ]);
    expect(orderTotals({ items: [] })).toEqual([]);
  });

  it('counts items by quantity and formats money with its currency', () => {
    expect(itemCount({ items: [item(2, 1), item(3, 1)] })).toBe(5);
    expect(formatMoney(1025, 'EUR', 'en-GB')).toBe('€1,025.00');
    expect(formatMoney(12.5, 'ZZZZ', 'en-GB')).toBe('12.50 ZZZZ');
    expect(formatTotals({ items: [item(1, 10, 'EUR'), item(1, 5, 'USD')] }, 'en-US')).toBe('€10.00 + $5.00');
  });
});
