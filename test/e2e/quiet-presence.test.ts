import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runChat, type Serving, startServe, stop, teamMadeByCli } from '../helpers/cli.ts';
import { startTui, type TmuxTerminal } from '../helpers/tmux.ts';

/** Lines saying carol came or went, as the TUI writes them. */
const CAROL_PRESENCE = /carol (joined|left|quit|is online|went offline)/g;

/**
 * Issue 17's quiet presence in real terminals: carol's `chat send` is a
 * program, not carol: bob sees her message and no coming and going, and
 * her own open chat stays on the room she is reading.
 */
describe('chat send is quiet: no presence lines, no switch', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving | undefined;
  const terminals: TmuxTerminal[] = [];
  const tui = (name: string, user: string, port: number) =>
    startTui(name, dir.path, user, port, terminals);
  const send = async (port: number, args: string[]) => {
    const sent = await runChat(['send', '--user', 'carol', '--port', String(port), ...args], {
      cwd: dir.path,
    });
    assert.equal(sent.code, 0, sent.stderr);
  };

  before(async () => {
    dir = await teamMadeByCli(['bob', 'carol']);
  });
  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it("shows bob carol's messages and not her script's comings and goings; carol's chat stays on #general", async () => {
    server = await startServe([], dir.path);
    const { port } = server;
    const bob = await tui('quiet-bob', 'bob', port);
    await bob.waitFor(/1 user\b/);

    // carol's chat is closed: her script alone.
    await send(port, ['from a script']);
    await bob.waitFor(/<carol> from a script/);
    // A message of bob's own, after carol's script has gone: what it said is on screen by then.
    await bob.type('marker one');
    let screen = await bob.waitFor(/<bob> marker one/);
    assert.deepEqual(screen.match(CAROL_PRESENCE), null, screen);
    assert.match(screen, /1 user\b/, 'a script is not listed among the people');

    // carol opens her chat on #general; her script sends to #ops.
    const carol = await tui('quiet-carol', 'carol', port);
    await bob.waitFor(/2 users/);
    await carol.waitFor(/2 users/);
    const before = (await bob.screen()).match(CAROL_PRESENCE)?.length ?? 0;
    await send(port, ['--room', 'ops', 'deploy done']);
    const moved = await carol.waitFor(/#ops/);
    assert.match(moved, /2 users/, "carol still looks at #general's two members");
    assert.doesNotMatch(moved, /deploy done/, 'the #ops pane is not on screen');
    await bob.type('marker two');
    screen = await bob.waitFor(/<bob> marker two/);
    assert.equal(screen.match(CAROL_PRESENCE)?.length ?? 0, before, screen);
    await carol.waitFor(/<bob> marker two/);
  });
});
