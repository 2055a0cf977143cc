#!/usr/bin/env node
// The last step of `npm run build` (and so of `prepack`): what the published packages carry
// beyond the bundles and tsc's output.
// - dist/catalog.schema.json: the catalog format as JSON Schema, generated from the zod schema the
//   server validates CATALOG_FILE with (so the two cannot drift);
// - dist/mixpay-button.node.js: what `mixpay-checkout/widget` is under Node's `node` export
//   condition (server-side rendering, tests): the element needs a DOM, so nothing is defined;
// - packages/mixpay-button/: the element alone, as a package with no dependencies, for pages and
//   apps that want the button without the server (filled from dist/, checked in as package.json).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const root = resolve(import.meta.dirname, '..');
const at = (...path) => resolve(root, ...path);
for (const built of ['dist/mixpay-button.js', 'dist/mixpay-button.iife.js', 'dist/server/merchant/catalog.js', 'dist/types/widget/index.d.ts', 'custom-elements.json']) {
  if (!existsSync(at(built))) throw new Error(`package-build: ${built} is missing; run \`npm run build\``);
}

const { catalogSchema } = await import(at('dist/server/merchant/catalog.js'));
const schema = {
  title: 'mixpay-checkout catalog (CATALOG_FILE)',
  description: 'Products the public POST /v1/checkout sells: the browser names a product id, the server sets the price.',
  // Input shape: what a file may hold (price_amount may be a JSON number, as MugglePay's docs send it).
  ...z.toJSONSchema(catalogSchema, { io: 'input' }),
};
schema.properties.$schema = { type: 'string', description: 'Where an editor finds this schema; ignored by the server.' };
writeFileSync(at('dist/catalog.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);

writeFileSync(
  at('dist/mixpay-button.node.js'),
  `// mixpay-checkout/widget under Node (server-side rendering, tests): <mixpay-button> needs a DOM,
// so nothing is defined here and MixpayButton is undefined. Browsers and bundlers' browser builds
// load mixpay-button.js, which defines the element.
export const MixpayButton = undefined;
`,
);

// The element-only package: the same files, under the same names, with no dependency.
const widgetPackage = at('packages/mixpay-button');
const ourVersion = JSON.parse(readFileSync(at('package.json'), 'utf8')).version;
const widgetVersion = JSON.parse(readFileSync(resolve(widgetPackage, 'package.json'), 'utf8')).version;
if (widgetVersion !== ourVersion) throw new Error(`package-build: packages/mixpay-button is ${widgetVersion}, mixpay-checkout ${ourVersion}; release them together`);
rmSync(resolve(widgetPackage, 'dist'), { recursive: true, force: true });
mkdirSync(resolve(widgetPackage, 'dist/types'), { recursive: true });
for (const file of ['mixpay-button.js', 'mixpay-button.iife.js', 'mixpay-button.node.js', 'widget', 'types/widget']) {
  cpSync(at('dist', file), resolve(widgetPackage, 'dist', file), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
}
cpSync(at('custom-elements.json'), resolve(widgetPackage, 'custom-elements.json'));
cpSync(at('LICENSE'), resolve(widgetPackage, 'LICENSE'));
console.log('package-build: dist/catalog.schema.json, dist/mixpay-button.node.js, packages/mixpay-button/');
