// ua-parser-js 1.x ships one regex table for browsers, CPUs, devices, engines and operating systems.
// The element reads only `os.name` and `device.type` (widget/user-agent.ts), so the build empties
// the browser, CPU and engine tables: a third of the parser's bytes that no customer needs. Of the
// device table it drops the vendor-specific phone entries (Samsung, Xiaomi, Pixel... phones): they
// only name a vendor and model, and the generic "Android ... Mobile Safari" entry after them still
// says `mobile` (or, without it, environment.ts reads an Android phone from its "Mobile" token).
// Vendor tablet, TV, console and wearable entries stay: the fallback would call those phones.
// The tests load the same trimmed parser (web-test-runner.config.mjs), and their tables of real
// user agents hold the result. A parser whose source no longer has these tables stops the build
// rather than ship something untested.

const TABLES = [
  ['browser', 'cpu'],
  ['cpu', 'device'],
  ['engine', 'os'],
];

/** True for the ua-parser-js source file. */
export function isUaParserSource(path) {
  return /ua-parser-js[\\/]src[\\/]ua-parser\.js$/.test(path);
}

/** The ua-parser-js source with its browser, cpu and engine tables emptied. */
export function trimUaParser(code) {
  let out = code;
  for (const [table, next] of TABLES) {
    const pattern = new RegExp(`(\\n\\s*${table}\\s*:\\s*)\\[[\\s\\S]*?(\\n\\s*${next}\\s*:\\s*\\[)`);
    if (!pattern.test(out)) throw new Error(`trim-ua-parser: no "${table}" table before "${next}" in ua-parser-js; check the new version`);
    out = out.replace(pattern, '$1[],$2');
  }
  return dropVendorPhones(out);
}

// An entry of the device table is its regexes, then a line `], [props], [`; a phone entry that
// names a vendor has `[TYPE, MOBILE]` and `VENDOR` in its props.
function dropVendorPhones(code) {
  const start = code.indexOf('device : [[');
  const end = code.indexOf('engine : [', start);
  if (start < 0 || end < 0) throw new Error('trim-ua-parser: no device table in ua-parser-js; check the new version');
  const head = code.slice(0, start + 'device : ['.length);
  const lines = code.slice(head.length, end).split('\n');
  const kept = [];
  let entry = [];
  let dropped = 0;
  for (const line of lines) {
    entry.push(line);
    if (!/^\s*\], \[.*\], \[$/.test(line)) continue;
    if (/\[TYPE, MOBILE\]/.test(line) && /VENDOR/.test(line)) {
      dropped++;
      // the entry's own opening `[` is the previous entry's trailing `, [`: keep the brackets balanced
      entry = [];
      continue;
    }
    kept.push(...entry);
    entry = [];
  }
  if (dropped < 10) throw new Error('trim-ua-parser: the device table no longer looks as expected; check the new version');
  kept.push(...entry);
  return head + kept.join('\n') + code.slice(end);
}
