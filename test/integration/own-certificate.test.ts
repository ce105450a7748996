import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ownCertificateProblem } from '../../src/net/own-certificate.ts';
import { issueClient } from '../../src/pki/client-certs.ts';
import { makeTeam, type Team } from '../helpers/chat-server.ts';
import { pkiContext } from '../helpers/pki.ts';

/**
 * What a client can tell about its own certificate when a server refused it
 * without a reason: real certificates from `chat certs`' own code.
 */

const DAY_MS = 86_400_000;

let team: Team;
let stranger: Team;

before(async () => {
  [team, stranger] = await Promise.all([makeTeam(['alice']), makeTeam(['alice'])]);
  await issueClient(pkiContext(team.dir.path, new Date(Date.now() - 10 * DAY_MS)), {
    name: 'dave',
    days: 1,
  });
  await issueClient(pkiContext(team.dir.path, new Date(Date.now() + 10 * DAY_MS)), {
    name: 'fay',
  });
});

after(async () => {
  await team?.dir.cleanup();
  await stranger?.dir.cleanup();
});

describe('ownCertificateProblem', () => {
  it('finds nothing wrong with a valid certificate of the team', async () => {
    const { cert, ca } = await team.credentials('alice');
    assert.equal(ownCertificateProblem(cert, ca, Date.now()), undefined);
  });

  it('names an expired certificate, with the day it expired', async () => {
    const { cert, ca } = await team.credentials('dave');
    const expected = new Date(Date.now() - 9 * DAY_MS).toISOString().slice(0, 10);
    assert.deepEqual(ownCertificateProblem(cert, ca, Date.now()), {
      kind: 'expired',
      date: expected,
    });
  });

  it('names a certificate not valid yet', async () => {
    const { cert, ca } = await team.credentials('fay');
    assert.equal(ownCertificateProblem(cert, ca, Date.now())?.kind, 'not_yet_valid');
  });

  it("names another team's certificate, though both CAs carry the same name", async () => {
    const { cert } = await stranger.credentials('alice');
    const { ca } = await team.credentials('alice');
    assert.deepEqual(ownCertificateProblem(cert, ca, Date.now()), { kind: 'foreign' });
  });

  it('cannot tell anything from what is not a certificate', async () => {
    const { ca } = await team.credentials('alice');
    assert.equal(ownCertificateProblem('not a certificate', ca, Date.now()), undefined);
  });
});
