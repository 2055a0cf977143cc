/**
 * The shipped JSX types (issue 10 §2): in a fresh project with the packed tarball, React 19's
 * types and Vue 3, tsc checks docs/widget.md's React example and a Vue use of `<mixpay-button>`
 * against `mixpay-checkout/widget/react` and `mixpay-checkout/widget/vue`, and refuses a wrong
 * attribute value and a misspelt one; `verifyWebhook` from `mixpay-checkout/server` returns the
 * notification's type. React and Vue come from the registry (npm's cache first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshProject, npm, pack, REPO } from './package-tarball.ts';

const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: [] },
};

describe('JSX types for React 19 and Vue 3, from the packed tarball', () => {
  let packs: string;
  let project: string;

  before(() => {
    packs = mkdtempSync(join(tmpdir(), 'mixpay-jsx-packs-'));
    project = freshProject([pack(packs)], 'mixpay-jsx-');
    npm(project, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '@types/react@^19', 'vue@^3', 'lit@^3']);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  });
  after(() => {
    for (const dir of [packs, project]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const check = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
    return spawnSync('node', [TSC, '-p', '.', '--pretty', 'false', ...[]], { cwd: project, encoding: 'utf8' });
  };

  test("docs/widget.md's React example builds, order= included; a wrong theme or a misspelt attribute does not", () => {
    const example = readFileSync(join(REPO, 'docs/widget.md'), 'utf8').match(/## React 19[\s\S]*?```tsx\n([\s\S]*?)```/)?.[1];
    assert.ok(example, 'docs/widget.md has a tsx example under "React 19"');
    const ok = check({
      'example.tsx': `import type {} from 'mixpay-checkout/widget/react';\n${example}\nexport const ForAnOrder = () => <mixpay-button server="https://shop.example" order="0f8b7a52-6e5f-4b38-9d0c-2b7a1c3e4d5f" onmixpay-failed={(e) => e.detail.reason} />;\n`,
    });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const bad = check({
      'example.tsx': `import type {} from 'mixpay-checkout/widget/react';\nexport const A = () => <mixpay-button theme="pink" />;\nexport const B = () => <mixpay-button prodcut="tee" />;\n`,
    });
    assert.equal(bad.status, 2, bad.stdout);
    assert.match(bad.stdout, /example\.tsx\(2,.*"pink"/);
    assert.match(bad.stdout, /example\.tsx\(3,.*prodcut/);
  });

  test('Vue: GlobalComponents knows <mixpay-button>, its props and typed event handlers', () => {
    const ok = check({
      'example.tsx': 'export {};\n',
      'vue-example.ts': `import type {} from 'mixpay-checkout/widget/vue';
import type { GlobalComponents } from 'vue';
type Props = InstanceType<GlobalComponents['mixpay-button']>['$props'];
export const props: Props = {
  server: 'https://shop.example',
  order: '0f8b7a52-6e5f-4b38-9d0c-2b7a1c3e4d5f',
  theme: 'dark',
  payeeName: 'Demo shop',
  onMixpaySuccess: (event) => console.log(event.detail.order.order_id),
};
// @ts-expect-error not a theme
export const wrong: Props = { theme: 'pink' };
`,
    });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  });

  test('verifyWebhook returns the notification type: a backend reads it without casts', () => {
    const ok = check({
      'example.tsx': 'export {};\n',
      'hook.ts': `import { verifyWebhook, type MerchantNotification } from 'mixpay-checkout/server';
export function onHook(body: string, header: string | undefined, secret: string): string {
  const event = verifyWebhook(body, header, secret);
  const typed: MerchantNotification = event;
  if (event.meta.event === 'order.settled') return \`\${event.order_id} settled \${event.meta.settle_amount ?? ''}\`;
  if (event.status === 'PAID') return \`\${event.merchant_order_id} paid \${event.pay_amount} \${event.pay_currency}\`;
  return typed.meta.previous_status ?? typed.status;
}
// @ts-expect-error not a field of a notification
export const wrong = (body: string) => verifyWebhook(body, '', 'secret').amount;
// @ts-expect-error not a status an order has
export const never = (body: string) => verifyWebhook(body, '', 'secret').status === 'DONE';
`,
    });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  });
});
