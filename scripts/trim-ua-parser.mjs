// ua-parser-js 1.x ships one regex table for browsers, CPUs, devices, engines and operating systems.
// The element reads only `os.name` and `device.type` (widget/user-agent.ts), so the build empties
// the browser, CPU and engine tables: a third of the parser's bytes that no customer needs. The
// tests load the same trimmed parser (web-test-runner.config.mjs). A parser whose source no longer
// has these tables stops the build rather than ship something untested.

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
  return out;
}
