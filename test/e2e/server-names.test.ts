import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runChat, type Serving, startServe, stop, teamMadeByCli } from '../helpers/cli.ts';

/**
 * A server reached by an IP address (issue 14, item 4): `chat serve` warns
 * when its certificate does not name the address it listens on, a client
 * dialing that address is told the command that fixes it, and the command
 * works: after it, the same client connects.
 */
describe('a server reached by an IP address', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving | undefined;
  before(async () => {
    dir = await teamMadeByCli(['ada']);
  });
  after(async () => {
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it('is named by the advice it gives, which then works', { timeout: 30_000 }, async () => {
    server = await startServe(['--host', '127.0.0.2'], dir.path);
    const warning = await server.waitFor('stderr', /"level":40.*does not name 127\.0\.0\.2/);
    assert.match(warning, /chat certs server --ip 127\.0\.0\.2/);
    const send = () =>
      runChat(['send', '--host', '127.0.0.2', '--port', String(server?.port), 'by address'], {
        cwd: dir.path,
      });
    const refused = await send();
    assert.equal(refused.code, 1, refused.stderr);
    const advice = /`(chat certs server --ip 127\.0\.0\.2)`/.exec(refused.stderr)?.[1];
    assert.ok(advice, refused.stderr);
    const fixed = await runChat(advice.split(' ').slice(1), { cwd: dir.path });
    assert.equal(fixed.code, 0, fixed.stderr);
    await stop(server.child);
    server = await startServe(['--host', '127.0.0.2'], dir.path);
    const sent = await send();
    assert.equal(sent.code, 0, sent.stderr);
    assert.ok(
      !server.lines.stderr.some((line) => line.includes('does not name')),
      'no warning once the certificate names the address',
    );
  });

  it('takes an address given to --host as an address too', { timeout: 20_000 }, async () => {
    const again = await runChat(['certs', 'server', '--host', '127.0.0.3'], { cwd: dir.path });
    assert.equal(again.code, 0, again.stderr);
    const names = new X509Certificate(await readFile(join(dir.path, 'certs', 'server.crt')))
      .subjectAltName;
    assert.match(names ?? '', /IP Address:127\.0\.0\.3/);
    assert.doesNotMatch(names ?? '', /DNS:127\.0\.0\.3/);
  });
});
