import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Serving, startServe, stop, teamMadeByCli } from '../helpers/cli.ts';
import { startTui, type TmuxTerminal } from '../helpers/tmux.ts';

/**
 * Issue 16's story in real terminals: bob leaves, alice talks to him, the
 * server restarts, and bob comes back to everything he missed, on two
 * devices that agree on what he has read.
 */
describe('coming back to chat tui after an absence and a server restart', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving | undefined;
  const terminals: TmuxTerminal[] = [];
  const tui = (name: string, user: string, port: number) =>
    startTui(name, dir.path, user, port, terminals);

  before(async () => {
    dir = await teamMadeByCli(['alice', 'bob']);
  });
  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it('greets bob with the backlog, the "new" line and the away summary; his devices agree on what he read', async () => {
    server = await startServe(['--data', 'data'], dir.path);
    const alice = await tui('come-back-alice', 'alice', server.port);
    const bob = await tui('come-back-bob', 'bob', server.port);
    await bob.waitFor(/connected/);
    await alice.waitFor(/2 users/);
    await alice.type('morning bob');
    await bob.waitFor(/<alice> morning bob/);
    await bob.type('morning! off to a meeting');
    await alice.waitFor(/<bob> morning! off to a meeting/);
    await bob.type('/quit');
    await bob.waitFor(/\[exited 0\]/);
    await alice.waitFor(/1 user\b/);

    for (const n of [1, 2, 3]) {
      await alice.type(`bob: point ${n} for when you are back`);
      await alice.waitFor(new RegExp(`<alice> bob: point ${n}`));
    }
    await alice.type('/msg bob first private note');
    await alice.waitFor(/first private note/);
    await alice.type('second private note');
    await alice.waitFor(/second private note/);

    // The server restarts on the same data directory.
    await stop(server.child);
    server = await startServe(['--data', 'data'], dir.path);

    // Without a key pressed: the summary of what he missed.
    const back = await tui('come-back-bob-1', 'bob', server.port);
    const summary = await back.waitFor(/While you were away[\s\S]*@alice/);
    assert.match(summary, /#general +3 unread, 3 mentions/);
    assert.match(summary, /@alice +2 unread, 2 mentions/);
    assert.match(summary, /bob: point 1 for when you are back/);
    assert.match(summary, /second private note/);

    // Esc: the backlog, with the "new" line right above the first message he had not seen.
    await back.press('Escape');
    const general = await back.waitFor(/new since you left/);
    const order = [
      'morning! off to a meeting',
      'new since you left',
      'bob: point 1 for when you are back',
      'bob: point 3 for when you are back',
    ].map((text) => general.indexOf(text));
    assert.ok(
      order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0))),
      `backlog and new line in order:\n${general}`,
    );

    // His second device sees the DMs unread, until the first device has read them.
    const second = await tui('come-back-bob-2', 'bob', server.port);
    await second.waitFor(/@alice +2!/);
    await back.press('M-a');
    await back.waitFor(/\[@alice\][\s\S]*|second private note/);
    await back.waitFor(/<alice> second private note/);
    await second.waitForGone(/@alice +2!/);
    assert.doesNotMatch(await second.screen(), /@alice +\d/);
    assert.doesNotMatch(await second.screen(), /While you were away/, 'no absence: no summary');
  });
});
