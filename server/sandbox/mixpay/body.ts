/** Reads a request body that official MixPay clients send either as JSON or form-encoded. */
import type { Context } from 'hono';
import { SandboxError } from './envelope.ts';

export function isJsonRequest(c: Context): boolean {
  return (c.req.header('content-type') ?? '').toLowerCase().includes('json');
}

/** The body as a plain object of fields; a broken JSON body is a parameter error. */
export async function readFields(c: Context): Promise<Record<string, unknown>> {
  if (isJsonRequest(c)) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new SandboxError('parameter', 'The body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SandboxError('parameter', 'Send a JSON object.');
    }
    return body as Record<string, unknown>;
  }
  const form = await c.req.parseBody();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}
