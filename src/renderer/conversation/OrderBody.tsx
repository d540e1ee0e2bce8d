// An order from the catalog: each item with its quantity, unit price and amount, and the total.
import { formatMoney, formatTotals, itemCount, type OrderContent } from '../ui/order-total';
import { strings } from '../ui/strings';

const o = strings.kinds.order;

export function OrderBody({ order }: { order: OrderContent }) {
  return (
    <div className="order">
      <span className="kind-label">{o.summary(itemCount(order), '')}</span>
      <table className="order-items">
        <thead>
          <tr>
            <th scope="col">{o.product}</th>
            <th scope="col">{o.quantity}</th>
            <th scope="col">{o.unitPrice}</th>
            <th scope="col">{o.lineTotal}</th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item, i) => (
            <tr key={i}>
              <td>
                <bdi>{item.productId}</bdi>
              </td>
              <td className="number">{item.quantity}</td>
              <td className="number">{formatMoney(item.unitPrice, item.currency)}</td>
              <td className="number">{formatMoney(Math.round(item.quantity * item.unitPrice * 100) / 100, item.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              {o.total}
            </th>
            <td className="number">{formatTotals(order)}</td>
          </tr>
        </tfoot>
      </table>
      {order.text !== undefined && order.text !== '' && (
        <p className="text" dir="auto">
          <span className="muted">{o.note}:</span> {order.text}
        </p>
      )}
    </div>
  );
}
