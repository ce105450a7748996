import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Serving, startServe, stop, teamMadeByCli } from '../helpers/cli.ts';
import { startTui, type TmuxTerminal } from '../helpers/tmux.ts';

/** How long bob's ban from #ops lasts, in seconds: long enough to be refused once, short enough to wait out. */
const BAN_SECONDS = 3;
/** Most tries of bob's /join while the ban runs out (one every half second). */
const JOIN_TRIES = 40;

/**
 * Issue 17's story in real terminals: alice, a server operator, kicks and
 * then bans bob from #ops with reasons that bob and carol both read; bob is
 * refused until the ban ends, then joins again; carol edits and deletes a
 * message and bob's pane follows. (A script's quiet send is
 * quiet-presence.test.ts.)
 */
describe('running a room: kick, ban, edit and delete in chat tui', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving | undefined;
  const terminals: TmuxTerminal[] = [];
  const tui = async (user: string, port: number) => {
    const terminal = await startTui(`run-a-room-${user}`, dir.path, user, port, terminals);
    await terminal.waitFor(/connected/);
    return terminal;
  };

  before(async () => {
    dir = await teamMadeByCli(['alice', 'bob', 'carol']);
  });
  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it('kicks and bans bob from #ops for everyone to see; carol edits and deletes in front of bob', {
    timeout: 120_000,
  }, async () => {
    server = await startServe(['--operator', 'alice'], dir.path);
    const { port } = server;
    const alice = await tui('alice', port);
    const bob = await tui('bob', port);
    const carol = await tui('carol', port);
    for (const terminal of [alice, bob, carol]) {
      await terminal.type('/join #ops');
      await terminal.waitFor(/#ops/);
    }
    await alice.waitFor(/3 users/);

    // A kick: bob reads who and why, carol too; bob's #ops is left and empty.
    await alice.type('/kick bob take it to #general');
    let bobScreen = await bob.waitFor(/alice kicked you from #ops: take it to #general/);
    assert.match(bobScreen, /0 users/, "the kicked bob's user list of #ops is cleared");
    await carol.waitFor(/alice kicked bob: take it to #general/);
    await carol.waitFor(/2 users/);

    // Kicked, not banned: bob comes back at once.
    await bob.type('/join #ops');
    await carol.waitFor(/3 users/);

    // A ban with a time and a reason.
    await alice.type(`/ban bob ${BAN_SECONDS}s flooding`);
    const bannedAt = Date.now();
    await bob.waitFor(new RegExp(`alice banned you from #ops for ${BAN_SECONDS}s \\(flooding\\)`));
    await carol.waitFor(new RegExp(`alice banned bob for ${BAN_SECONDS}s \\(flooding\\)`));
    await carol.waitFor(/2 users/);

    // Refused while the ban runs, then in once it ended (the server sends
    // nothing when a ban ends: bob tries again, as a person would).
    await bob.type('/join #ops');
    await bob.waitFor(/you are banned from #ops by alice until/);
    let joined = false;
    for (let tries = 0; tries < JOIN_TRIES && !joined; tries++) {
      await bob.type('/join #ops');
      joined = await carol.waitFor(/3 users/, 500).then(
        () => true,
        () => false,
      );
    }
    assert.ok(joined, `bob could not join #ops again after ${JOIN_TRIES} tries`);
    assert.ok(
      Date.now() - bannedAt >= BAN_SECONDS * 1000,
      'bob got back in only once the ban had ended',
    );

    // carol corrects a message with Up, then takes another back.
    await carol.type('helo bob');
    await bob.waitFor(/<carol> helo bob/);
    await carol.press('Up');
    await carol.waitFor(/\[edit #ops\] helo bob/);
    await carol.press(...Array<string>('helo bob'.length).fill('BSpace'));
    await carol.type('hello bob');
    bobScreen = await bob.waitFor(/<carol> hello bob \(edited\)/);
    assert.doesNotMatch(bobScreen, /helo bob/, 'the old text is gone from bob');
    await carol.type('wrong room, sorry');
    await bob.waitFor(/<carol> wrong room, sorry/);
    await carol.type('/delete');
    bobScreen = await bob.waitFor(/<carol> \(message deleted\)/);
    assert.doesNotMatch(bobScreen, /wrong room, sorry/, 'the deleted text is gone from bob');
    assert.match(bobScreen, /<carol> hello bob \(edited\)/);
  });
});
