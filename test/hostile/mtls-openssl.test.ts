import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { revokeClient } from '../../src/pki/client-certs.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  closeServer,
  HELLO,
  helloPeer,
  type Peer,
  TEST,
  WAIT_MS,
} from '../helpers/hostile.ts';

/**
 * Mutual TLS as an independent client sees it (issue 13, finding 4):
 * `openssl s_client` against a real ChatServer. Without a certificate it
 * gets the `certificate_required` alert; with a revoked one the server cuts
 * the connection right after the handshake (node has no way to send that
 * alert). Either way no session is written by `-sess_out` (no ticket) and
 * not one application byte comes back, though the client sends a hello. A
 * valid certificate, as the control, gets its welcome and a session ticket.
 */

let team: Team;
let started: Started;
let witness: Peer;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol', 'eve']);
  await revokeClient(team.ctx, { name: 'eve' });
  started = await startServer(team);
  witness = await helloPeer(started, await team.credentials('bob'));
});

after(async () => {
  await witness?.end();
  await closeServer(started);
  await team?.dir.cleanup();
});

/** What one `openssl s_client` run printed, and the size of its -sess_out file (-1: none). */
interface Run {
  output: string;
  sessionBytes: number;
}

/**
 * Runs s_client as `user` (none: no certificate), writes a hello once
 * connected and closes its input once `enough` is seen in the output, or
 * when the server closes first.
 */
async function sClient(user: string | undefined, enough: RegExp): Promise<Run> {
  const sessionFile = join(team.dir.path, `session-${user ?? 'none'}.pem`);
  const identity =
    user === undefined
      ? []
      : (({ cert, key }) => ['-cert', cert, '-key', key])(clientPaths(team.ctx.layout, user));
  const child = spawn(
    'openssl',
    [
      's_client',
      '-connect',
      `127.0.0.1:${started.port}`,
      '-servername',
      'localhost',
      '-CAfile',
      team.ctx.layout.caCert,
      '-verify_return_error',
      '-sess_out',
      sessionFile,
      ...identity,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const timer = setTimeout(() => child.kill(), WAIT_MS);
  const look = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (enough.test(output)) child.stdin.end();
  };
  child.stdout.on('data', look);
  child.stderr.on('data', look);
  child.stdin.on('error', () => {});
  child.stdin.write(HELLO);
  await exited;
  clearTimeout(timer);
  const sessionBytes = await stat(sessionFile).then(
    (s) => s.size,
    () => -1,
  );
  return { output, sessionBytes };
}

describe('openssl s_client against chat serve', () => {
  it('a valid certificate (the control): welcome and a session ticket', TEST, async () => {
    const run = await sClient('alice', /"type":"welcome"/);
    assert.match(run.output, /"type":"welcome"/);
    assert.ok(run.sessionBytes > 0, 'the session was written');
  });

  it('no certificate: the certificate_required alert, no session, no byte', TEST, async () => {
    const quietSince = witness.frames.length;
    const run = await sClient(undefined, /alert/);
    assert.match(run.output, /alert certificate required/);
    assert.match(run.output, /SSL alert number 116/);
    assert.ok(run.sessionBytes <= 0, `no session written (${run.sessionBytes} bytes)`);
    assert.doesNotMatch(run.output, /"type"/, 'not one chat frame');
    await assertServed(team, started, witness, { quietSince });
  });

  it('a revoked certificate: cut after the handshake, no session, no byte', TEST, async () => {
    const quietSince = witness.frames.length;
    const run = await sClient('eve', /"type"/);
    assert.ok(run.sessionBytes <= 0, `no session written (${run.sessionBytes} bytes)`);
    assert.doesNotMatch(run.output, /"type"/, 'not one chat frame');
    assert.doesNotMatch(run.output, /NewSessionTicket|Post-Handshake New Session Ticket/);
    await assertServed(team, started, witness, { quietSince });
  });
});
