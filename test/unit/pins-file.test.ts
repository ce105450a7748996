import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { parsePins, pinsFile, readOnlyPins, userPinsFile } from '../../src/profile/pins-file.ts';
import { profilePlace } from '../../src/profile/profile-paths.ts';
import { tempDir } from '../helpers/pki.ts';

const FP_A = `${'0A:'.repeat(31)}0A`;
const FP_B = `${'0B:'.repeat(31)}0B`;

describe('pins files: the certificates each person pinned per peer', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.cleanup());

  it('is empty before the first pin, and keeps what is saved, 0600 in a 0700 folder', async () => {
    const file = join(dir.path, 'team', 'pins.json');
    const store = pinsFile(file);
    assert.deepEqual(await store.load(), {});
    const book = { bob: { fingerprints: [FP_B, FP_A], verified: true } };
    await store.save(book);
    assert.deepEqual(await pinsFile(file).load(), {
      bob: { fingerprints: [FP_A, FP_B], verified: true },
    });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir.path, 'team'))).mode & 0o777, 0o700);
  });

  const damaged: Array<[string, string]> = [
    ['not JSON', '{"v":1,'],
    ['another version', '{"v":2,"pins":{}}'],
    ['pins as a list', '{"v":1,"pins":[]}'],
    ['a bad user name', `{"v":1,"pins":{"Bob":{"fingerprints":[],"verified":false}}}`],
    ['a bad fingerprint', '{"v":1,"pins":{"bob":{"fingerprints":["zz"],"verified":false}}}'],
    ['verified as text', `{"v":1,"pins":{"bob":{"fingerprints":["${FP_A}"],"verified":"yes"}}}`],
  ];
  for (const [what, text] of damaged) {
    it(`refuses ${what} in one line rather than trusting everyone on first use again`, () => {
      assert.throws(
        () => parsePins('/p/pins.json', text),
        (error: unknown) =>
          error instanceof ChatError &&
          error.message === '/p/pins.json is damaged: direct messages are not sealed or opened',
      );
    });
  }

  it('fails load, not later, for a damaged file on disk', async () => {
    const file = join(dir.path, 'damaged.json');
    await writeFile(file, 'garbage');
    await assert.rejects(pinsFile(file).load(), ChatError);
  });

  it('keeps each person of one profile apart: bob pinning himself verified is not ada verifying him', async () => {
    const place = profilePlace('shared', { CHAT_HOME: dir.path }, '/nowhere');
    const ada = userPinsFile(place, 'ada');
    const bob = userPinsFile(place, 'bob');
    assert.notEqual(ada.file, bob.file);
    await pinsFile(bob.file, bob.legacy).save({ bob: { fingerprints: [FP_B], verified: true } });
    assert.deepEqual(await pinsFile(ada.file, ada.legacy).load(), {});
    assert.deepEqual(await readOnlyPins(ada.file, ada.legacy).load(), {});
    assert.throws(() => userPinsFile(place, '../ada'), ChatError);
  });

  it('reads the shared pins.json of before until the person’s own file is written, then only theirs', async () => {
    const place = profilePlace('upgraded', { CHAT_HOME: dir.path }, '/nowhere');
    const ada = userPinsFile(place, 'ada');
    await pinsFile(place.legacyPinsFile).save({ bob: { fingerprints: [FP_B], verified: true } });
    const store = pinsFile(ada.file, ada.legacy);
    assert.deepEqual(await store.load(), { bob: { fingerprints: [FP_B], verified: true } });
    assert.deepEqual(await readOnlyPins(ada.file, ada.legacy).load(), {
      bob: { fingerprints: [FP_B], verified: true },
    });
    await store.save({ bob: { fingerprints: [FP_A], verified: false } });
    await pinsFile(place.legacyPinsFile).save({});
    assert.deepEqual(await pinsFile(ada.file, ada.legacy).load(), {
      bob: { fingerprints: [FP_A], verified: false },
    });
  });
});
