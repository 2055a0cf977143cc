/**
 * The verification snippets of docs/merchant.md ("Verify in other languages"), each taken from the
 * document as it is and run against signatures our server made: a good one passes; a changed body,
 * another secret, an old timestamp and a malformed header are refused; during a rotation any
 * matching `v1=` passes. A language that is not installed here is skipped, saying so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhook } from '../../server/core/signature.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/merchant.md'), 'utf8');
const SECRET = 'whsec-snippet-0123456789';

/** The fenced block that follows `<!-- verify-snippet: <language> -->` in the document. */
function snippet(language: string): string {
  const found = DOC.match(new RegExp(`<!-- verify-snippet: ${language} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``));
  assert.ok(found, `docs/merchant.md has the ${language} snippet`);
  return found[1]!;
}

function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

interface Case {
  name: string;
  body: string;
  header: string;
  expect: 'ok' | 'refused';
}

/** Bodies and headers as the server makes them; non-ASCII text checks that the raw bytes are signed. */
function cases(): Case[] {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ order_id: '6f0c2c1e-8a4e-4a57-9b0e-0b7f0c6f1f43', status: 'PAID', title: 'Café ☕ — 19,99 €', meta: { event_id: 'e1' } });
  const good = signWebhook(body, SECRET, now);
  return [
    { name: 'a good signature', body, header: good, expect: 'ok' },
    { name: 'spaces after the commas', body, header: good.replace(',', ', '), expect: 'ok' },
    { name: 'during a rotation, the second v1 matches', body, header: signWebhook(body, ['whsec-new-0123456789', SECRET], now), expect: 'ok' },
    { name: 'a changed body', body: body.replace('PAID', 'PAYD'), header: good, expect: 'refused' },
    { name: 'another secret', body, header: signWebhook(body, 'whsec-other-0123456789', now), expect: 'refused' },
    { name: 'a signature ten minutes old', body, header: signWebhook(body, SECRET, now - 600), expect: 'refused' },
    { name: 'a malformed header', body, header: 'v1=deadbeef', expect: 'refused' },
    { name: 'no header', body, header: '', expect: 'refused' },
  ];
}

interface Language {
  name: string;
  command: string;
  /** Writes the snippet and a driver into `dir`; returns the command line that runs one case. */
  prepare(dir: string): string[];
}

const LANGUAGES: Language[] = [
  {
    name: 'node',
    command: 'node',
    prepare(dir) {
      writeFileSync(join(dir, 'snippet.mjs'), snippet('node'));
      writeFileSync(
        join(dir, 'driver.mjs'),
        `import { readFileSync } from 'node:fs';\nimport { verifyMixpayCheckout } from './snippet.mjs';\nconsole.log(verifyMixpayCheckout(readFileSync(process.argv[2]), process.env.HEADER, process.env.SECRET) ? 'ok' : 'refused');\n`,
      );
      return ['node', join(dir, 'driver.mjs')];
    },
  },
  {
    name: 'python',
    command: 'python3',
    prepare(dir) {
      writeFileSync(join(dir, 'snippet.py'), snippet('python'));
      writeFileSync(
        join(dir, 'driver.py'),
        `import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\nfrom snippet import verify_mixpay_checkout\nwith open(sys.argv[1], "rb") as f:\n    body = f.read()\nprint("ok" if verify_mixpay_checkout(body, os.environ["HEADER"], os.environ["SECRET"]) else "refused")\n`,
      );
      return ['python3', join(dir, 'driver.py')];
    },
  },
  {
    name: 'php',
    command: 'php',
    prepare(dir) {
      writeFileSync(join(dir, 'snippet.php'), snippet('php'));
      writeFileSync(join(dir, 'driver.php'), `<?php\nrequire __DIR__ . '/snippet.php';\necho verify_mixpay_checkout(file_get_contents($argv[1]), (string) getenv('HEADER'), (string) getenv('SECRET')) ? "ok\\n" : "refused\\n";\n`);
      return ['php', join(dir, 'driver.php')];
    },
  },
  {
    name: 'go',
    command: 'go',
    prepare(dir) {
      writeFileSync(join(dir, 'go.mod'), 'module snippet\n\ngo 1.18\n');
      writeFileSync(join(dir, 'webhook.go'), snippet('go').replace(/^package \w+/m, 'package main'));
      writeFileSync(
        join(dir, 'main.go'),
        `package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"time"\n)\n\nfunc main() {\n\tbody, _ := os.ReadFile(os.Args[1])\n\tif VerifyMixpayCheckout(body, os.Getenv("HEADER"), os.Getenv("SECRET"), 300*time.Second) {\n\t\tfmt.Println("ok")\n\t} else {\n\t\tfmt.Println("refused")\n\t}\n}\n`,
      );
      execFileSync('go', ['build', '-o', join(dir, 'verify'), '.'], { cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: join(dir, '.cache') } });
      return [join(dir, 'verify')];
    },
  },
];

describe('webhook verification snippets in docs/merchant.md', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mixpay-snippets-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every language the document promises has a snippet', () => {
    for (const language of LANGUAGES) assert.ok(snippet(language.name).length > 100, language.name);
  });

  for (const language of LANGUAGES) {
    const present = installed(language.command);
    test(`the ${language.name} snippet verifies our signatures and refuses bad ones`, { skip: present ? false : `${language.command} is not installed on this machine` }, () => {
      const own = mkdtempSync(join(dir, `${language.name}-`));
      const command = language.prepare(own);
      for (const c of cases()) {
        const bodyFile = join(own, 'body.json');
        writeFileSync(bodyFile, c.body);
        const run = spawnSync(command[0]!, [...command.slice(1), bodyFile], { encoding: 'utf8', env: { ...process.env, HEADER: c.header, SECRET } });
        assert.equal(run.status, 0, `${language.name}, ${c.name}: ${run.stderr}`);
        assert.equal(run.stdout.trim(), c.expect, `${language.name}: ${c.name}`);
      }
    });
    if (!present) console.log(`# webhook snippets: ${language.name} skipped, \`${language.command}\` is not installed (the document's block is not run here)`);
  }
});
