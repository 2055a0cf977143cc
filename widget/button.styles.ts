import { css } from 'lit';

// Colours use light-dark(): `color-scheme` on :host picks the side, from the `theme` attribute or,
// for `auto`, from prefers-color-scheme. A page's own value of a custom property wins in both themes.
export const buttonStyles = css`
:host{--mixpay-accent:light-dark(#0969da,#4493f8);--mixpay-accent-text:light-dark(#fff,#0d1117);--mixpay-radius:8px;--mixpay-font:system-ui,sans-serif;--mixpay-dialog-background:light-dark(#fff,#161b22);--mixpay-dialog-text:light-dark(#1f2328,#e6edf3);--mixpay-muted-text:light-dark(#59636e,#9198a1);--mixpay-success:light-dark(#1a7f37,#3fb950);--mixpay-danger:light-dark(#cf222e,#ff7b72);--mixpay-qr-size:220px;color-scheme:light dark;display:inline-block;font-family:var(--mixpay-font)}
:host([theme=light]){color-scheme:light}
:host([theme=dark]){color-scheme:dark}
[hidden]{display:none!important}
.pay,.primary{font:inherit;font-weight:600;padding:.6em 1.2em;border:0;border-radius:var(--mixpay-radius);background:var(--mixpay-accent);color:var(--mixpay-accent-text);cursor:pointer;text-decoration:none;display:inline-block}
.pay[aria-busy=true]{cursor:progress}
:focus-visible{outline:3px solid var(--mixpay-accent);outline-offset:2px}
.outer-status{display:block;margin-top:.4em;font-size:.9em}
.outer-status:empty{display:none}
`;
