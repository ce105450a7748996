import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatError } from '../../src/errors.ts';
import { ChatClient } from '../../src/net/chat-client.ts';
import type { ClientState } from '../../src/net/client-types.ts';
import { makeTeam, type Team } from '../helpers/chat-server.ts';
import { type Impostor, type ImpostorKind, startImpostor } from '../helpers/impostors.ts';

/**
 * Connects the way `chat tail` and the TUI do (reconnecting) to an impostor
 * and returns the error connect() rejects with: with reconnect on, only a
 * failure that is final rejects it; others would retry instead.
 */
async function firstError(
  team: Team,
  impostor: Impostor,
  options: { reconnect?: boolean; connectTimeoutMs?: number } = {},
): Promise<{ error: ChatError; states: ClientState[] }> {
  const client = new ChatClient({
    host: '127.0.0.1',
    port: impostor.port,
    credentials: await team.credentials('alice'),
    clientName: 'test/1',
    pingIntervalMs: 0,
    backoff: { baseMs: 10, maxMs: 20 },
    ...options,
  });
  const states: ClientState[] = [];
  client.on('state', (state) => states.push(state));
  try {
    await client.connect();
  } catch (error) {
    return { error: error as ChatError, states };
  } finally {
    await client.close();
  }
  assert.fail('connected to an impostor');
}

describe('a peer that is not a chat server', () => {
  let team: Team;
  const impostors: Impostor[] = [];
  const start = async (kind: ImpostorKind) => {
    const impostor = await startImpostor(kind, team.certsDir);
    impostors.push(impostor);
    return impostor;
  };

  before(async () => {
    team = await makeTeam(['alice']);
  });
  after(async () => {
    await Promise.all(impostors.map((i) => i.close()));
    await team.dir.cleanup();
  });

  for (const kind of ['http', 'echo'] as const) {
    it(`${kind === 'http' ? 'a plain HTTP server' : 'a raw TCP echo'}: does not speak TLS, final`, async () => {
      const impostor = await start(kind);
      const { error, states } = await firstError(team, impostor);
      assert.equal(error.code, 'NOT_A_CHAT_SERVER');
      assert.equal(
        error.message,
        `127.0.0.1:${impostor.port} does not speak TLS: is it a chat server?`,
      );
      assert.ok(!states.includes('reconnecting'), `not retried: ${states.join(' ')}`);
    });
  }

  it('an HTTPS server with a certificate of the same CA: speaks TLS, not chat, final', async () => {
    const impostor = await start('https');
    const { error, states } = await firstError(team, impostor);
    assert.equal(error.code, 'NOT_A_CHAT_SERVER');
    assert.equal(
      error.message,
      `127.0.0.1:${impostor.port} speaks TLS but is not a chat server: it answered "HTTP/1.1 400 Bad Request"`,
    );
    assert.ok(!states.includes('reconnecting'));
  });

  it('a TLS echo server: the hello coming back is no welcome, final', async () => {
    const impostor = await start('tls-echo');
    const { error, states } = await firstError(team, impostor);
    assert.equal(error.code, 'NOT_A_CHAT_SERVER');
    assert.match(error.message, /speaks TLS but is not a chat server: it echoed the hello back$/);
    assert.ok(!states.includes('reconnecting'));
  });

  it('a TLS server that speaks JSON lines without a frame type: quoted, final', async () => {
    const impostor = await start('tls-json');
    const { error, states } = await firstError(team, impostor);
    assert.equal(error.code, 'NOT_A_CHAT_SERVER');
    assert.equal(
      error.message,
      `127.0.0.1:${impostor.port} speaks TLS but is not a chat server: it answered "{"jsonrpc":"2.0","error":{"code":-32700…"`,
    );
    assert.ok(!states.includes('reconnecting'));
  });

  it('a port that takes the connection and says nothing: named after the time allowed', async () => {
    const impostor = await start('silent');
    const { error } = await firstError(team, impostor, { reconnect: false, connectTimeoutMs: 300 });
    assert.equal(error.code, 'CONNECT_FAILED');
    assert.match(
      error.message,
      /took the connection but did not answer the TLS handshake in 0\.3 s: is it a chat server\?$/,
    );
  });

  it('a TLS server that says nothing after the handshake: named after the time allowed', async () => {
    const impostor = await start('tls-silent');
    const { error } = await firstError(team, impostor, { reconnect: false, connectTimeoutMs: 300 });
    assert.equal(error.code, 'CONNECT_FAILED');
    assert.match(
      error.message,
      /speaks TLS but did not answer hello in 0\.3 s: is it a chat server\?$/,
    );
  });
});
