import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueClient } from '../../src/pki/client-certs.ts';
import { runChat, type Serving, startServe, stop } from '../helpers/cli.ts';
import { pkiContext, tempDir } from '../helpers/pki.ts';

/**
 * `chat send` with a certificate the server refuses in the TLS handshake
 * (issue 13, finding 4): revoked, expired, or issued by another team's CA.
 * The server gives no reason on the wire; the client still prints one clear
 * line with the fix and exits 1, without retrying. The server logs the
 * refusals aggregated, with the address, when it stops.
 */

const DAY_MS = 86_400_000;

describe('chat send with a refused certificate', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let stranger: { path: string; cleanup: () => Promise<void> };
  let server: Serving;
  let port = 0;

  before(async () => {
    [dir, stranger] = await Promise.all([tempDir(), tempDir()]);
    const run = async (args: string[], cwd = dir.path) => {
      const result = await runChat(args, { cwd });
      assert.equal(result.code, 0, result.stderr);
    };
    await run(['certs', '--user', 'ada']);
    await run(['certs', 'client', 'eve']);
    await run(['certs', 'revoke', 'eve']);
    // Signed by the team CA ten days ago for one day.
    await issueClient(pkiContext(dir.path, new Date(Date.now() - 10 * DAY_MS)), {
      name: 'dave',
      days: 1,
    });
    // Our CA, with a certificate of another team's.
    await run(['certs', '--user', 'zed'], stranger.path);
    const mixed = join(dir.path, 'mixed');
    await mkdir(join(mixed, 'clients'), { recursive: true });
    await copyFile(join(dir.path, 'certs', 'ca.crt'), join(mixed, 'ca.crt'));
    for (const file of ['zed.crt', 'zed.key']) {
      await copyFile(join(stranger.path, 'certs', 'clients', file), join(mixed, 'clients', file));
    }
    server = await startServe([], dir.path);
    port = server.port;
  });

  after(async () => {
    await stop(server.child);
    await dir.cleanup();
    await stranger.cleanup();
  });

  const send = (...args: string[]) =>
    runChat(['send', '--port', String(port), ...args, 'let me in'], { cwd: dir.path });

  const cases: Array<[name: string, args: string[], line: RegExp]> = [
    [
      'a revoked certificate',
      ['--user', 'eve'],
      /^chat: the server at localhost:\d+ refused your certificate during the TLS handshake: most likely it was revoked — ask your admin for a new certificate/,
    ],
    [
      'an expired certificate',
      ['--user', 'dave'],
      /^chat: the server at localhost:\d+ refused your certificate: it expired on \d{4}-\d\d-\d\d — ask your admin for a new certificate/,
    ],
    [
      "another team's certificate",
      ['--certs', 'mixed', '--user', 'zed'],
      /^chat: the server at localhost:\d+ refused your certificate: it was not issued by your team's CA — use the certificate from your team's invite/,
    ],
  ];

  for (const [name, args, line] of cases) {
    it(`${name}: one line saying why, exit 1`, async () => {
      const result = await send(...args);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, line);
      assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
      assert.equal(result.stdout, '');
    });
  }

  it('a valid certificate still gets through', async () => {
    const result = await send('--user', 'ada');
    assert.equal(result.code, 0, result.stderr);
  });

  it('the server logs the refusals with the address, aggregated, when it stops', async () => {
    await stop(server.child);
    const lines = server.lines.stderr
      .filter((l) => l.includes('"msg":"handshakes failed"'))
      .map((l) => JSON.parse(l) as { address: string; reasons: { [reason: string]: number } });
    // One line per address per 10 s: one here, two should a slow run straddle an interval.
    assert.ok(lines.length >= 1 && lines.length <= 2, `${lines.length} lines`);
    assert.ok(lines.every((l) => l.address === '127.0.0.1'));
    const reasons: { [reason: string]: number } = {};
    for (const l of lines) {
      for (const [reason, count] of Object.entries(l.reasons)) {
        reasons[reason] = (reasons[reason] ?? 0) + count;
      }
    }
    assert.equal(reasons.CERT_REVOKED, 1);
    assert.equal(reasons.CERT_HAS_EXPIRED, 1);
    assert.equal(
      Object.values(reasons).reduce((a, b) => a + b, 0),
      3,
      JSON.stringify(reasons),
    );
  });
});
