// Lists the element's events on the page, the way a merchant's page would listen for them.
const list = document.getElementById('events');
for (const name of ['mixpay-open', 'mixpay-order', 'mixpay-status', 'mixpay-success', 'mixpay-failed', 'mixpay-expired', 'mixpay-error', 'mixpay-close']) {
  document.addEventListener(name, (event) => {
    const item = document.createElement('li');
    const product = event.target?.getAttribute?.('product') ?? '';
    const detail = event.detail && typeof event.detail === 'object' ? event.detail : {};
    const status = detail.status ?? detail.order?.status ?? detail.orderId ?? detail.kind ?? detail.message ?? '';
    item.textContent = `${new Date().toLocaleTimeString()} ${name} ${product} ${status}`.trim();
    list.prepend(item);
  });
}
