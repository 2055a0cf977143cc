/**
 * The project's only door to ua-parser-js (1.x: 2.x is AGPL). Loaded by dynamic import from
 * environment.ts, so the parser costs nothing until a customer clicks.
 */
import UAParser from 'ua-parser-js';

/** The parts of a parsed user agent the link choice uses. */
export interface ParsedUserAgent {
  os: string;
  /** ua-parser's device type: mobile, tablet, console, smarttv, wearable, embedded, or "" (desktop or unknown). */
  deviceType: string;
}

/** Parses a user-agent string with ua-parser-js. */
export function parseUserAgent(userAgent: string): ParsedUserAgent {
  // An empty string would make ua-parser read navigator.userAgent instead of the string given.
  const result = new UAParser(userAgent || ' ').getResult();
  return {
    os: result.os.name ?? '',
    deviceType: result.device.type ?? '',
  };
}
