import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  runChat,
  type Serving,
  startChat,
  startServe,
  stop,
  teamMadeByCli,
} from '../helpers/cli.ts';
import { until } from '../helpers/ink.ts';

describe('chat serve, send and tail as a new user runs them', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving;
  let port = 0;

  before(async () => {
    dir = await teamMadeByCli();
    server = await startServe([], dir.path);
    port = server.port;
  });
  after(async () => {
    await stop(server.child);
    await dir.cleanup();
  });

  it('shows in tail what send sent, attributed to the certificate user', async () => {
    const tail = startChat(['tail', '--port', String(port)], dir.path);
    try {
      await server.waitFor('stderr', /"msg":"connection open"/);
      const sent = await runChat(['send', '--port', String(port), 'hello', 'team'], {
        cwd: dir.path,
      });
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(await tail.waitFor('stdout', /hello team/), /^\[\d\d:\d\d\] <ada> hello team$/);
    } finally {
      await stop(tail.child);
    }
  });

  it('logs connections with user and TLS facts, never message text', async () => {
    const sent = await runChat(['send', '--port', String(port), 'top secret words'], {
      cwd: dir.path,
    });
    assert.equal(sent.code, 0, sent.stderr);
    const open = JSON.parse(await server.waitFor('stderr', /"msg":"connection open"/)) as Record<
      string,
      unknown
    >;
    assert.equal(open.user, 'ada');
    assert.equal(open.tls, 'TLSv1.3');
    assert.match(String(open.fingerprint), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await server.waitFor('stderr', /"msgsIn":2.*"msg":"connection closed"/);
    assert.ok(!server.lines.stderr.some((l) => l.includes('top secret')));
  });

  it('explains a port in use, missing certificates and a wrong flag in one line', async () => {
    // Another data directory: this one's history is the running server's (and locked).
    const busy = await runChat(['serve', '--port', String(port), '--data', 'other'], {
      cwd: dir.path,
    });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /^chat: port \d+ on 127\.0\.0\.1 is already in use — .*--port\n$/);
    const noCerts = await runChat(['serve', '--port', '0', '--certs', 'nowhere'], {
      cwd: dir.path,
    });
    assert.equal(noCerts.code, 1);
    assert.match(noCerts.stderr, /^chat: nowhere\/ca\.crt is missing — run `chat certs/);
    const flag = await runChat(['serve', '--prot', '9000'], { cwd: dir.path });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^chat: unknown option --prot — see `chat serve --help`\n$/);
    const down = await runChat(['send', '--port', '1', 'hi'], { cwd: dir.path });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^chat: nothing is listening on localhost:1 — start the server/);
  });

  it('chat certs revoke cuts off a live session at once, with the reason', async () => {
    const made = await runChat(['certs', 'client', 'bea'], { cwd: dir.path });
    assert.equal(made.code, 0, made.stderr);
    const tail = startChat(['tail', '--user', 'bea', '--port', String(port)], dir.path);
    try {
      await server.waitFor('stderr', /"user":"bea".*"msg":"connection open"/);
      const revoked = await runChat(['certs', 'revoke', 'bea'], { cwd: dir.path });
      assert.equal(revoked.code, 0, revoked.stderr);
      await server.waitFor('stderr', /"closed":1.*"msg":"crl reloaded"/);
      const [code] =
        tail.child.exitCode === null ? await once(tail.child, 'exit') : [tail.child.exitCode];
      assert.notEqual(code, 0);
      assert.match(tail.lines.stderr.join('\n'), /your certificate was revoked/);
    } finally {
      await stop(tail.child);
    }
  });

  it('a damaged crl.pem is not taken: the previous CRL stays in force', async () => {
    const crl = join(dir.path, 'certs', 'crl.pem');
    const good = await readFile(crl, 'utf8');
    const reloads = server.lines.stderr.filter((l) => l.includes('"msg":"crl reloaded"')).length;
    await writeFile(crl, 'not a CRL\n');
    assert.match(
      await server.waitFor('stderr', /"msg":"crl not reloaded: the previous one stays in force"/),
      /"why":"crl\.pem changed"/,
    );
    await writeFile(crl, good);
    await until(
      () => server.lines.stderr.filter((l) => l.includes('"msg":"crl reloaded"')).length > reloads,
      'the good CRL reloaded',
      10_000,
    );
  });

  it('--dashboard without a terminal says so in one line and serves with plain logs', async () => {
    // A data directory of its own: ./data belongs to the suite's server.
    const own = startChat(['serve', '--port', '0', '--dashboard', '--data', 'own'], dir.path);
    try {
      const said = await own.waitFor('stderr', /--dashboard/);
      assert.match(said, /^chat serve: --dashboard needs a terminal .*plain logs/);
      await own.waitFor('stderr', /"msg":"listening"/);
    } finally {
      assert.equal(await stop(own.child), 0);
    }
  });

  it('a log file that cannot be written is one line with the fix, before anything starts', async () => {
    const result = await runChat(['serve', '--port', '0', '--log-file', 'certs/ca.crt/x.log'], {
      cwd: dir.path,
    });
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(
      result.stderr,
      /^chat: cannot write the log file certs\/ca\.crt\/x\.log \(\w+\) — choose a writable path/,
    );
  });

  it('takes --tls-min 1.2 from the command line', async () => {
    // yargs once parsed 1.2 as a number, which the choices then refused.
    const own = startChat(['serve', '--port', '0', '--tls-min', '1.2', '--data', 'own'], dir.path);
    try {
      const listening = JSON.parse(await own.waitFor('stderr', /"msg":"listening"/)) as {
        tlsMin: string;
      };
      assert.equal(listening.tlsMin, '1.2');
    } finally {
      assert.equal(await stop(own.child), 0);
    }
  });

  it('shuts down gracefully on SIGTERM, exit 0', async () => {
    const own = startChat(['serve', '--port', '0', '--data', 'own'], dir.path);
    await own.waitFor('stderr', /"msg":"listening"/);
    const t0 = performance.now();
    assert.equal(await stop(own.child), 0);
    assert.ok(performance.now() - t0 < 2_000);
    assert.ok(own.lines.stderr.some((l) => l.includes('"msg":"stopped"')));
  });
});
