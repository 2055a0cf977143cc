import { css } from 'lit';

// The QR code keeps black on white in both themes: scanners need the contrast.
export const dialogStyles = css`
dialog{box-sizing:border-box;width:min(26rem,calc(100vw - 2rem));padding:1.25rem;border:0;border-radius:calc(var(--mixpay-radius)*1.5);background:var(--mixpay-dialog-background);color:var(--mixpay-dialog-text);font-family:var(--mixpay-font);text-align:center}
dialog::backdrop{background:rgb(0 0 0/.5)}
header{display:flex;align-items:center;justify-content:space-between;gap:1rem}
h2{margin:0;font-size:1.1rem}
.close{font:inherit;font-size:1.5rem;line-height:1;background:none;border:0;color:inherit;cursor:pointer;padding:.25rem .5rem}
.muted,dt{color:var(--mixpay-muted-text)}
.amount{font-size:1.6rem;font-weight:700;margin:.5rem 0}
.status{font-weight:600}
.status[data-phase=paid]{color:var(--mixpay-success)}
.status[data-phase=failed],.status[data-phase=error],.status[data-phase=unreachable]{color:var(--mixpay-danger)}
figure{margin:1rem auto}
.qr{display:block;width:var(--mixpay-qr-size);height:var(--mixpay-qr-size);max-width:100%;margin:0 auto .5rem;background:#fff}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;text-align:start;margin:1rem 0 .5rem}
dd{margin:0;overflow-wrap:anywhere}
.copy{text-align:start;font-size:.85rem}
.copy div{display:flex;gap:.5rem}
.copy input{flex:1;min-width:0;font:inherit;padding:.35rem;border:1px solid var(--mixpay-muted-text);border-radius:4px;background:transparent;color:inherit}
.copy button{font:inherit;padding:.35rem .7rem;border:1px solid var(--mixpay-accent);border-radius:4px;background:transparent;color:inherit;cursor:pointer}
`;
