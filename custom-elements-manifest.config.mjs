// custom-elements.json, generated from the element's class JSDoc (widget/mixpay-button.ts).
export default {
  globs: ['widget/index.ts', 'widget/mixpay-button.ts', 'widget/events.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [
    {
      // The internal members (locale, navigate) are not part of the public API.
      name: 'drop-internal-members',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const decl of mod.declarations ?? []) {
            if (decl.members) decl.members = decl.members.filter((m) => m.privacy !== 'private' && !m.name.startsWith('_') && !/@internal/.test(m.description ?? ''));
          }
        }
      },
    },
  ],
};
