import { expect, fixture, html } from '@open-wc/testing';
// The untouched encoder (segment optimizer included), served by web-test-runner.config.mjs.
// @ts-expect-error: a test-only alias with no type declarations
import QRCodeOriginal from 'qrcode-original';
import QRCodeBundled from 'qrcode/lib/core/qrcode.js';
import { qrCodeTemplate, QUIET_ZONE } from '../../widget/qr-code.ts';
import { qrMatrix } from '../../widget/qr-matrix.ts';

const LINKS = [
  'http://localhost:8787/sandbox/mixpay/code/9f1c2a7e-3b1d-4c55-8a0e-5d2f1b7c9e01',
  'https://mixpay.me/code/4f6d0b3e-1f2a-4c8d-9e7b-2a1c3d4e5f60',
  'https://mixpay.me/pay?payeeId=a0d7791408776b47eb1dd3f94ed15d6a&settlementAssetId=c6d0c728-2624-429b-8e0d-d9d19b6592fa&quoteAssetId=usd&quoteAmount=5&traceId=dd9c3e04-a5d2-11ec-b909-0242ac120002&remark=caf%C3%A9',
  'mixin://pay?recipient=x&asset=y&amount=0.00593523&memo=UE18MTIzfA&trace=1',
];

describe('QR code', () => {
  for (const link of LINKS) {
    it(`encodes ${link.slice(0, 40)}… exactly as qrcode does in byte mode`, () => {
      const ours = qrMatrix(link);
      const original = QRCodeOriginal.create([{ data: new TextEncoder().encode(link), mode: 'byte' }], { errorCorrectionLevel: 'M' });
      expect(ours.size).to.equal(original.modules.size);
      expect([...ours.dark]).to.deep.equal([...original.modules.data]);
      // and the optimizer would not have done better than byte mode for such a link by more than one version
      const optimized = QRCodeOriginal.create(link, { errorCorrectionLevel: 'M' });
      expect(ours.size - optimized.modules.size).to.be.at.most(4);
    });
  }

  it('bundles the byte-segments replacement, not the optimizer', () => {
    expect(() => QRCodeBundled.create('a plain string')).to.throw(/only byte segments/);
  });

  it('draws every dark module, and only those, inside the quiet zone', async () => {
    const matrix = qrMatrix(LINKS[0]!);
    const el = await fixture<HTMLDivElement>(html`<div>${qrCodeTemplate(matrix, 'QR code to pay')}</div>`);
    const drawn = new Set<number>();
    for (const rect of el.querySelectorAll('svg g rect')) {
      const x = Number(rect.getAttribute('x')) - QUIET_ZONE;
      const y = Number(rect.getAttribute('y')) - QUIET_ZONE;
      for (let i = 0; i < Number(rect.getAttribute('width')); i++) drawn.add(y * matrix.size + x + i);
    }
    const dark = [...matrix.dark].flatMap((d, i) => (d ? [i] : []));
    expect([...drawn].sort((a, b) => a - b)).to.deep.equal(dark);
    expect(el.querySelector('svg')!.getAttribute('viewBox')).to.equal(`0 0 ${matrix.size + 8} ${matrix.size + 8}`);
    expect(el.querySelector('svg')!.getAttribute('role')).to.equal('img');
  });
});
