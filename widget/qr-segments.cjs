// Stands in for qrcode's `lib/core/segments.js` in our bundles (vite.config.ts and
// web-test-runner.config.mjs swap it in). That module finds the cheapest mix of numeric,
// alphanumeric, kanji and byte segments with a Dijkstra search, which costs 1.7 KB gzip. A payment
// link is a URL with lower-case letters, so QR encodes it in byte mode anyway: qr-matrix.ts always
// passes one byte segment, and only `fromArray` is reached. test/widget/qr-code.test.ts checks the
// matrices against the original. CommonJS, like the module it replaces, so that the bundle needs
// no ES-module interop helpers.
'use strict'
const ByteData = require('qrcode/lib/core/byte-data.js')

function onlyBytes () {
  throw new Error('only byte segments are bundled')
}

exports.fromArray = function fromArray (segments) {
  return segments.map(function (segment) {
    if (segment.mode !== 'byte') onlyBytes()
    return new ByteData(segment.data)
  })
}
exports.fromString = onlyBytes
exports.rawSplit = onlyBytes
