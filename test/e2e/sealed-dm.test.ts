import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import {
  runChat,
  type Serving,
  startChat,
  startServe,
  stop,
  teamMadeByCli,
} from '../helpers/cli.ts';
import { startTui, type TmuxTerminal } from '../helpers/tmux.ts';

// Said in a DM each way, and once in a room as the control that the checks can see text.
const FROM_ALICE = 'orchid-7741 meet at the north gate';
const FROM_BOB = 'tangerine-0359 bring the ledger';
const IN_ROOM = 'cobalt-2286 said in the open';

/** Every file under `dir`, as bytes joined (latin1 keeps every byte). */
async function everyByte(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('');
}

/** `promise`, or a failure naming `what` after 20 s: a wait on a child's output has no bound of its own. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited 20 s for ${what}`)), 20_000);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * A device of `user`'s (`--device`'s files) speaking the protocol by hand:
 * every line the server writes to it, as the server wrote it (after TLS).
 */
async function rawDevice(cwd: string, port: number, user: string, device: string) {
  const certs = join(cwd, 'certs');
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', `clients/${user}@${device}.crt`, `clients/${user}@${device}.key`].map((f) =>
      readFile(join(certs, f), 'utf8'),
    ),
  );
  const socket = connect({ host: 'localhost', port, ca, cert, key });
  const lines: string[] = [];
  let partial = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  await once(socket, 'secureConnect');
  socket.write(`${JSON.stringify({ type: 'hello', v: 1, client: 'raw/1', script: true })}\n`);
  const sawDm = async (count: number) => {
    while (lines.filter((l) => l.startsWith('{"type":"dm"')).length < count) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { lines, sawDm, close: () => socket.destroy() };
}

/**
 * A loopback relay between one client and the server that keeps every byte
 * each way: the capture of that wire.
 */
async function recordingRelay(
  target: number,
): Promise<{ port: number; bytes: () => string; server: Server }> {
  const chunks: Buffer[] = [];
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: target });
    inbound.on('data', (chunk: Buffer) => chunks.push(chunk));
    outbound.on('data', (chunk: Buffer) => chunks.push(chunk));
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { port: address.port, bytes: () => Buffer.concat(chunks).toString('latin1'), server };
}

/**
 * Issue 20 in real terminals: alice and bob exchange direct messages in
 * `chat tui`, compare safety numbers and mark each other verified; bob's
 * phone (`chat tail`, a device of his own) opens them with its own key.
 * Then neither text is in the server's data directory, its log, `chat
 * history export --dm`, the frames the server wrote to a device of bob's,
 * or the capture of bob's wire; the room message beside them is in the
 * export, as it should. (The data directory is sealed at rest and the wire
 * is TLS: those two would hold no text even for DMs in clear. The export
 * and the frames are the checks that catch a DM sent in clear.)
 */
describe('sealed direct messages in chat tui', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving | undefined;
  let relay: Awaited<ReturnType<typeof recordingRelay>> | undefined;
  let phone: ReturnType<typeof startChat> | undefined;
  let wire: Awaited<ReturnType<typeof rawDevice>> | undefined;
  const terminals: TmuxTerminal[] = [];

  before(async () => {
    dir = await teamMadeByCli(['alice', 'bob']);
    const device = await runChat(['certs', 'client', 'bob', '--device', 'phone'], {
      cwd: dir.path,
    });
    assert.equal(device.code, 0, device.stderr);
  });
  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    if (phone) await stop(phone.child);
    wire?.close();
    relay?.server.close();
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it('exchange, verify each other, and leave no text anywhere the server reaches', {
    timeout: 150_000,
  }, async () => {
    server = await startServe([], dir.path);
    relay = await recordingRelay(server.port);
    phone = startChat(['tail', '--user', 'bob@phone', '--port', String(server.port)], dir.path);
    await server.waitFor('stderr', /"user":"bob".*"msg":"connection open"/);
    wire = await rawDevice(dir.path, server.port, 'bob', 'phone');
    const alice = await startTui('sealed-alice', dir.path, 'alice', server.port, terminals);
    const bob = await startTui('sealed-bob', dir.path, 'bob', relay.port, terminals);
    await alice.waitFor(/connected/);
    await bob.waitFor(/connected/);

    await alice.type(IN_ROOM);
    await bob.waitFor(/cobalt-2286/);
    await alice.type(`/msg bob ${FROM_ALICE}`);
    await alice.waitFor(/sealed, bob not verified: \/verify/);
    await bob.type('/msg alice');
    await bob.waitFor(/<alice> orchid-7741 meet at the north gate/);
    await bob.type(FROM_BOB);
    await alice.waitFor(/<bob> tangerine-0359 bring the ledger/);
    // bob's phone opens it with its own key, in `chat tail`.
    await within(
      phone.waitFor('stdout', /<alice → bob> orchid-7741 meet at the north gate/),
      "bob's phone to open the DM",
    );
    await within(wire.sawDm(2), 'the raw device of bob to get both DMs');

    // The same 60 digits on both screens; each says yes, each header says verified.
    await alice.type('/verify');
    const aliceScreen = await alice.waitFor(/if every digit matches: \/verify bob yes/);
    await bob.type('/verify');
    const bobScreen = await bob.waitFor(/if every digit matches: \/verify alice yes/);
    const digits = (screen: string) => (screen.match(/\d{5}(?: \d{5}){5}/g) ?? []).join(' ');
    assert.match(digits(aliceScreen), /^\d{5}( \d{5}){11}$/);
    assert.equal(digits(aliceScreen), digits(bobScreen));
    await alice.type('/verify yes');
    await alice.waitFor(/sealed, bob verified/);
    await bob.type('/verify yes');
    await bob.waitFor(/sealed, alice verified/);

    const texts = [/orchid-7741/, /tangerine-0359/];
    const exported = await runChat(['history', 'export', '--dm', 'alice,bob'], { cwd: dir.path });
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout.trim().split('\n').length, 2);
    assert.match(exported.stdout, /"sealed":\{"v":1/);
    const room = await runChat(['history', 'export', '--room', 'general'], { cwd: dir.path });
    assert.match(room.stdout, /cobalt-2286/, 'the export shows text where there is text');
    const places: Array<[string, string]> = [
      ['the data directory', await everyByte(join(dir.path, 'data'))],
      ['the server log', server.lines.stderr.join('\n')],
      ['chat history export --dm', exported.stdout],
      ["the frames the server wrote to a device of bob's", wire.lines.join('\n')],
      ["the capture of bob's wire", relay.bytes()],
    ];
    for (const [where, bytes] of places) {
      assert.ok(bytes.length > 0, `${where} is empty: nothing was checked`);
      for (const text of texts) assert.doesNotMatch(bytes, text, `${where} holds ${text}`);
    }
  });
});
