import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';

const fingerprintOf = (der: string) =>
  new X509Certificate(Buffer.from(der, 'base64')).fingerprint256;

/**
 * The key directory over TLS: `keys` gives every valid, unrevoked
 * certificate of a user (one per device), from the certs folder and from
 * handshakes, and never one another CA signed, one revoked, or one whose
 * CN is someone else's.
 */
describe('the key directory over TLS', () => {
  let team: Team;
  let started: Started;
  const open: ChatClient[] = [];
  const print = async (who: string) =>
    new X509Certificate((await team.credentials(who)).cert).fingerprint256;

  async function connected(user: string): Promise<ChatClient> {
    const c = await client(team, started, user);
    open.push(c);
    await c.connect();
    return c;
  }

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    await issueClient(team.ctx, { name: 'bob', device: 'phone' });
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
  });
  after(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  it("gives both of bob's devices' certificates, and each device connects as bob", async () => {
    const alice = await connected('alice');
    const answer = await alice.keys('bob');
    assert.equal(answer.user, 'bob');
    assert.deepEqual(
      answer.certs.map(fingerprintOf).sort(),
      [await print('bob'), await print('bob@phone')].sort(),
    );
    // The phone's certificate says CN=bob: whois bob shows it.
    await connected('bob@phone');
    const whois = await alice.whois('bob');
    assert.deepEqual(whois.fingerprints, [await print('bob@phone')]);
  });

  it('leaves out a certificate of another CA, and one for someone else, put in the folder', async () => {
    const alice = open[0];
    assert.ok(alice);
    const other = await makeTeam(['mallory', 'bob']);
    try {
      await copyFile(
        clientPaths(other.ctx.layout, 'bob').cert,
        clientPaths(team.ctx.layout, 'bob', 'evil').cert,
      );
      // carol's certificate under bob's name: its CN still says carol.
      await copyFile(
        clientPaths(team.ctx.layout, 'carol').cert,
        clientPaths(team.ctx.layout, 'bob', 'carol').cert,
      );
      await writeFile(clientPaths(team.ctx.layout, 'bob', 'junk').cert, 'not a certificate');
      const answer = await alice.keys('bob');
      assert.deepEqual(
        answer.certs.map(fingerprintOf).sort(),
        [await print('bob'), await print('bob@phone')].sort(),
      );
    } finally {
      for (const device of ['evil', 'carol', 'junk']) {
        await rm(clientPaths(team.ctx.layout, 'bob', device).cert, { force: true });
      }
      await other.dir.cleanup();
    }
  });

  it('drops a revoked device once the server has the new CRL, and keeps the other', async () => {
    const alice = open[0];
    assert.ok(alice);
    await revokeClient(team.ctx, { name: 'bob', device: 'phone' });
    started.server.reloadTls(await loadServerTls(team.certsDir, started.config.tlsMin));
    const answer = await alice.keys('bob');
    assert.deepEqual(answer.certs.map(fingerprintOf), [await print('bob')]);
  });

  it('keeps a certificate seen in a handshake after its file is gone', async () => {
    const alice = open[0];
    assert.ok(alice);
    const expected = await print('carol');
    await connected('carol');
    await rm(clientPaths(team.ctx.layout, 'carol').cert);
    const answer = await alice.keys('carol');
    assert.deepEqual(answer.certs.map(fingerprintOf), [expected]);
  });

  it('answers unknown_user for a name with no certificate who never connected', async () => {
    const alice = open[0];
    assert.ok(alice);
    await assert.rejects(alice.keys('dave'), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.match(error.message, /dave is not a user of this server/);
      return true;
    });
  });
});
