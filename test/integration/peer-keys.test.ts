import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { checkDirectory } from '../../src/net/e2ee/peer-keys.ts';
import { normalizeSerial } from '../../src/pki/keys.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { makeTeam, type Team } from '../helpers/chat-server.ts';

const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

/**
 * The client's own check of a key directory answer: a server (or whoever
 * sits in its place) may hand over any certificate; only those the team's
 * CA signed for that user, in their dates and not revoked, are sealed for.
 */
describe("a client's check of the key directory", () => {
  let team: Team;
  let other: Team;
  let ca: X509Certificate;
  before(async () => {
    team = await makeTeam(['alice', 'bob']);
    other = await makeTeam(['mallory', 'bob']);
    ca = new X509Certificate(await readFile(team.ctx.layout.caCert));
  });
  after(async () => {
    await team.dir.cleanup();
    await other.dir.cleanup();
  });
  const pem = async (t: Team, user: string) =>
    readFile(clientPaths(t.ctx.layout, user).cert, 'utf8');

  it("keeps bob's certificate, and leaves out another CA's, alice's, a revoked or expired one, and garbage", async () => {
    const bob = await pem(team, 'bob');
    const now = Date.now();
    const answer = [der(bob), der(await pem(other, 'bob')), der(await pem(team, 'alice')), 'AAAA'];
    const checked = checkDirectory('bob', answer, { ca, revokes: () => false, now });
    assert.deepEqual(
      checked.keys.map((k) => k.fingerprint),
      [new X509Certificate(bob).fingerprint256],
    );
    assert.equal(checked.refused, 3);
    const serial = normalizeSerial(new X509Certificate(bob).serialNumber);
    assert.deepEqual(
      checkDirectory('bob', [der(bob)], { ca, revokes: (s) => normalizeSerial(s) === serial, now })
        .keys,
      [],
    );
    const later = Date.parse(new X509Certificate(bob).validTo) + 1;
    assert.deepEqual(
      checkDirectory('bob', [der(bob)], { ca, revokes: () => false, now: later }).keys,
      [],
    );
  });
});
