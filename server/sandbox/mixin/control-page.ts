/** The sandbox Mixin's page: bot balances, forms to play MixPay's refund and a deposit, recent snapshots. */
import { html } from 'hono/html';
import { SANDBOX_ASSETS, type MixinLedger } from './ledger.ts';

export function controlPage(botIds: string[], ledger: MixinLedger, alertCount: number) {
  const recent = ledger.recent(botIds, 20);
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mixin sandbox</title></head><body>
    <h1>Mixin sandbox (no real money)</h1>
    ${botIds.map(
      (id) => html`<h2>Bot ${id}</h2><ul>${[...ledger.walletOf(id)].map(([asset, v]) => html`<li>${SANDBOX_ASSETS[asset]?.symbol ?? asset}: ${v.toFixed()}</li>`)}</ul>`,
    )}
    <h2>Play MixPay: refund a broker transfer</h2>
    <form method="post" action="refund">
      <label>trace_id <input name="trace_id" required size="40"></label>
      <label>reason code <input name="code" value="40000" size="6"></label>
      <button type="submit">Send refund to the broker bot</button>
    </form>
    <h2>Send the bot an unexpected transfer</h2>
    <form method="post" action="deposit">
      <input type="hidden" name="asset_id" value="4d8c508b-91c5-375b-92b0-ee702ed2dac5">
      <label>USDT <input name="amount" value="1"></label> <label>memo <input name="memo" value="hello"></label>
      <button type="submit">Deposit</button>
    </form>
    <p>${alertCount} alert(s) received — <a href="alerts">JSON</a></p>
    <h2>Recent snapshots</h2>
    <table><tr><th>time</th><th>amount</th><th>asset</th><th>opponent</th><th>trace</th><th>memo</th></tr>
    ${recent.map((s) => html`<tr><td>${s.created_at}</td><td>${s.amount}</td><td>${SANDBOX_ASSETS[s.asset_id]?.symbol}</td><td>${s.opponent_id}</td><td>${s.trace_id}</td><td>${s.memo}</td></tr>`)}
    </table></body></html>`;
}
