import { css } from 'lit';

// The element's design language (widget/button.styles.ts): the same custom properties, colours
// through light-dark() so prefers-color-scheme picks the side, the same radius and focus ring.
export const adminStyles = css`
:host{--mixpay-accent:light-dark(#0969da,#4493f8);--mixpay-accent-text:light-dark(#fff,#0d1117);--mixpay-radius:8px;--mixpay-font:system-ui,sans-serif;--mixpay-surface:light-dark(#fff,#161b22);--mixpay-page:light-dark(#f6f8fa,#0d1117);--mixpay-text:light-dark(#1f2328,#e6edf3);--mixpay-muted-text:light-dark(#59636e,#9198a1);--mixpay-border:light-dark(#d1d9e0,#3d444d);--mixpay-success:light-dark(#1a7f37,#3fb950);--mixpay-danger:light-dark(#cf222e,#ff7b72);--mixpay-attention:light-dark(#9a6700,#d29922);color-scheme:light dark;display:block;font-family:var(--mixpay-font);color:var(--mixpay-text);background:var(--mixpay-page);min-height:100vh}
[hidden]{display:none!important}
*{box-sizing:border-box}
a{color:var(--mixpay-accent)}
:focus-visible{outline:3px solid var(--mixpay-accent);outline-offset:2px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding:.75rem 1.25rem;background:var(--mixpay-surface);border-bottom:1px solid var(--mixpay-border)}
header .brand{font-weight:700;margin-right:auto}
nav{display:flex;gap:1rem}
nav a{text-decoration:none;font-weight:600;padding:.25rem 0}
nav a[aria-current=page]{border-bottom:2px solid var(--mixpay-accent)}
.who{color:var(--mixpay-muted-text);font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.35rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .75rem}
.card{background:var(--mixpay-surface);border:1px solid var(--mixpay-border);border-radius:calc(var(--mixpay-radius)*1.5);padding:1rem 1.25rem}
button,input,select,textarea{font:inherit;color:inherit}
.primary,.secondary,.danger{font-weight:600;padding:.45em 1em;border-radius:var(--mixpay-radius);cursor:pointer;border:1px solid var(--mixpay-accent)}
.primary{background:var(--mixpay-accent);color:var(--mixpay-accent-text)}
.secondary{background:none;color:var(--mixpay-accent)}
.danger{background:none;color:var(--mixpay-danger);border-color:var(--mixpay-danger)}
button[disabled]{opacity:.6;cursor:progress}
input,select,textarea{background:var(--mixpay-surface);border:1px solid var(--mixpay-muted-text);border-radius:calc(var(--mixpay-radius)/2);padding:.4rem .5rem;min-width:0}
label{display:flex;flex-direction:column;gap:.25rem;font-size:.9rem;font-weight:600}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin-bottom:1rem}
form.filters label:first-child{flex:1 1 16rem}
.signin{max-width:24rem;margin:10vh auto}
.signin form{display:flex;flex-direction:column;gap:.9rem}
.muted,dt,th{color:var(--mixpay-muted-text)}
.error{color:var(--mixpay-danger);font-weight:600}
.status{display:inline-block;font-weight:600;font-size:.8rem;padding:.1rem .5rem;border-radius:1rem;border:1px solid currentColor;white-space:nowrap}
.status[data-tone=good]{color:var(--mixpay-success)}
.status[data-tone=bad]{color:var(--mixpay-danger)}
.status[data-tone=wait]{color:var(--mixpay-attention)}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.92rem}
th,td{text-align:start;padding:.45rem .5rem;border-bottom:1px solid var(--mixpay-border);vertical-align:top}
th{font-weight:600;font-size:.85rem}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
code,.mono{font-family:ui-monospace,monospace;font-size:.85em;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dd{margin:0;overflow-wrap:anywhere}
ol.timeline{list-style:none;margin:0;padding:0;border-left:2px solid var(--mixpay-border)}
ol.timeline li{position:relative;padding:.3rem 0 .7rem 1rem}
ol.timeline li::before{content:"";position:absolute;left:-.4rem;top:.65rem;width:.6rem;height:.6rem;border-radius:50%;background:var(--mixpay-muted-text)}
ol.timeline li[data-tone=good]::before{background:var(--mixpay-success)}
ol.timeline li[data-tone=bad]::before{background:var(--mixpay-danger)}
ol.timeline li[data-tone=wait]::before{background:var(--mixpay-attention)}
.when{display:block;font-size:.8rem;color:var(--mixpay-muted-text)}
.actions{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}
.actions form{display:flex;flex-direction:column;gap:.5rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.spaced{margin-bottom:.75rem}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr))}
td a.mono{white-space:nowrap}
@media (max-width:40rem){main{padding:.75rem}header{padding:.6rem .75rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}.hide-narrow{display:none}
/* Narrow screens: each row of a .stack table becomes a small card of label and value. */
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
table.stack tr{display:block;padding:.4rem 0;border-bottom:1px solid var(--mixpay-border)}
table.stack td{display:grid;grid-template-columns:minmax(6rem,40%) minmax(0,1fr);gap:.5rem;border:0;padding:.15rem .25rem;white-space:normal;justify-items:start}
.card{padding:.75rem}
table.stack td::before{content:attr(data-label);color:var(--mixpay-muted-text);font-size:.85rem;font-weight:600}}
`;
