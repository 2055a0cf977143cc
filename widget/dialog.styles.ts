import { css } from 'lit';

// The QR code keeps black on white in both themes: scanners need the contrast.
export const dialogStyles = css`
dialog,.page{box-sizing:border-box;width:min(26rem,calc(100vw - 2rem));padding:1.25rem;border:0;border-radius:calc(var(--mixpay-radius)*1.5);background:var(--mixpay-dialog-background);color:var(--mixpay-dialog-text);text-align:center}
dialog::backdrop{background:#0008}
.head{display:flex;justify-content:space-between;align-items:center}
h2{margin:0;font-size:1.1rem}
button,input{font:inherit;color:inherit}
.close{font-size:1.5rem;background:none;border:0;cursor:pointer}
.muted,dt{color:var(--mixpay-muted-text)}
.amount{font-size:1.6rem;font-weight:700;margin:.5rem 0}
.status{font-weight:600}
[data-phase=paid]{color:var(--mixpay-success)}
[data-phase=failed],[data-phase=error],[data-phase=unreachable]{color:var(--mixpay-danger)}
.qr{display:block;width:var(--mixpay-qr-size);max-width:100%;margin:auto}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;text-align:start}
dd{margin:0;overflow-wrap:anywhere}dd bdi{display:inline-block}
.copy{text-align:start;font-size:.85rem}
.copy div{display:flex;gap:.5rem}
input{flex:1;min-width:0;background:none;border:1px solid var(--mixpay-muted-text);border-radius:4px;padding:.3rem}
.page{display:block;width:auto}
.copy button,.copy-amount{background:none;border:1px solid var(--mixpay-accent);border-radius:4px;cursor:pointer}
`;
