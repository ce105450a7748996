import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { runHistoryExport } from '../../src/commands/history.ts';
import type { ServerFrame, StoredMessage } from '../../src/net/protocol/frames.ts';
import { historyForServer } from '../../src/server/history/history-for-server.ts';
import { DEFAULT_SERVER_CONFIG } from '../../src/server/server-config.ts';
import {
  makeTeam,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

type Raw = Awaited<ReturnType<typeof rawConnection>>;

/** A raw connection that waits for frames by what they hold, not only their type. */
class Peer {
  private seen = 0;
  constructor(readonly raw: Raw) {}

  write(frame: object): void {
    this.raw.socket.write(`${JSON.stringify(frame)}\n`);
  }

  /** The first frame from now on (in arrival order) that passes `match`. */
  async next(match: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
    for (;;) {
      const frames = this.raw.frames;
      for (; this.seen < frames.length; this.seen += 1) {
        const frame = frames[this.seen] as ServerFrame;
        if (match(frame)) {
          this.seen += 1;
          return frame;
        }
      }
      await new Promise<void>((resolve) => this.raw.socket.once('data', () => resolve()));
      // The helper parses lines in its own 'data' listener, which ran first.
    }
  }

  /** Sends a frame with `ref` and returns its answer: ack, error, or the frame of that ref. */
  async ask(frame: { type: string; ref: string; [field: string]: unknown }): Promise<ServerFrame> {
    this.write(frame);
    return this.next((f) => 'ref' in f && f.ref === frame.ref);
  }

  updates(): Promise<ServerFrame> {
    return this.next((f) => f.type === 'update');
  }

  async close(): Promise<void> {
    this.raw.socket.end();
    await this.raw.closed;
  }
}

describe('edit and delete over TLS, with the history on disk', () => {
  let team: Team;
  let started: Started;
  let data: string;
  let epoch = '';
  const open: Peer[] = [];
  let refs = 0;
  const ref = () => `r-${++refs}`;

  async function connect(user: string, hello: object = { join: ['#general'] }): Promise<Peer> {
    const peer = new Peer(await rawConnection(started, await team.credentials(user)));
    open.push(peer);
    peer.write({ type: 'hello', v: 1, client: 'test/1', ...hello });
    const welcome = await peer.next((f) => f.type === 'welcome');
    if (welcome.type === 'welcome' && welcome.epoch) epoch = welcome.epoch;
    return peer;
  }

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    data = join(team.dir.path, 'data');
    const overrides = {
      store: 'disk' as const,
      dataDir: data,
      ratePerSecond: 1_000,
      rateBurst: 1_000,
    };
    const config = { ...DEFAULT_SERVER_CONFIG, certsDir: team.certsDir, ...overrides };
    const { store } = await historyForServer(config, pino({ level: 'silent' }));
    started = await startServer(team, overrides, store);
  });
  after(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  it('edits and deletions reach the room, history and search follow, a resume hears of changes', async () => {
    const bob = await connect('bob');
    const carol = await connect('carol');
    const sent = await carol.ask({
      type: 'send',
      room: '#general',
      text: 'zebra crossing at noon',
      ref: ref(),
    });
    assert.equal(sent.type, 'ack');
    const id = sent.type === 'ack' ? sent.id : 0;
    const original = await bob.next((f) => f.type === 'msg' && f.id === id);
    assert.equal(original.type === 'msg' && original.text, 'zebra crossing at noon');

    // carol edits: she is acked with the id and the time; bob gets the update.
    const edit = await carol.ask({
      type: 'edit',
      room: '#general',
      id,
      text: 'zebra crossing at one',
      ref: ref(),
    });
    assert.equal(edit.type, 'ack');
    assert.equal(edit.type === 'ack' && edit.id, id);
    const edited = await bob.updates();
    assert.ok(edited.type === 'update');
    assert.equal(edited.message.id, id);
    assert.equal(edited.message.text, 'zebra crossing at one');
    assert.equal(edited.message.edited, edit.type === 'ack' ? edit.ts : -1);
    assert.equal(edited.message.ts, original.type === 'msg' ? original.ts : -1);

    // bob may neither edit nor delete carol's message.
    const notHis = await bob.ask({
      type: 'edit',
      room: '#general',
      id,
      text: 'mine now',
      ref: ref(),
    });
    assert.equal(notHis.type === 'error' && notHis.code, 'not_author');
    const notOperator = await bob.ask({ type: 'delete', room: '#general', id, ref: ref() });
    assert.equal(notOperator.type === 'error' && notOperator.code, 'not_author');
    const none = await carol.ask({
      type: 'edit',
      room: '#general',
      id: id + 50,
      text: 'x',
      ref: ref(),
    });
    assert.equal(none.type === 'error' && none.code, 'no_such_message');
    const outside = await carol.ask({ type: 'delete', room: '#ops', id, ref: ref() });
    assert.equal(outside.type === 'error' && outside.code, 'not_member');

    // carol deletes it: bob gets the placeholder.
    const deletion = await carol.ask({ type: 'delete', room: '#general', id, ref: ref() });
    assert.equal(deletion.type, 'ack');
    const deleted = await bob.updates();
    assert.ok(deleted.type === 'update');
    assert.equal(deleted.message.text, '');
    assert.deepEqual(deleted.message.deleted, { ts: deletion.type === 'ack' ? deletion.ts : -1 });
    const again = await carol.ask({ type: 'delete', room: '#general', id, ref: ref() });
    assert.equal(again.type, 'ack', 'deleting again is acknowledged again');
    const deadEdit = await carol.ask({
      type: 'edit',
      room: '#general',
      id,
      text: 'back',
      ref: ref(),
    });
    assert.equal(deadEdit.type === 'error' && deadEdit.code, 'no_such_message');

    // History serves the deleted form; a search no longer finds the old text.
    const page = await bob.ask({ type: 'history', room: '#general', limit: 10, ref: ref() });
    assert.ok(page.type === 'history');
    const inPage = page.messages.find((m: StoredMessage) => m.id === id);
    assert.equal(inPage?.text, '');
    assert.ok(inPage?.deleted);
    const found = await bob.ask({ type: 'search', text: 'zebra', ref: ref() });
    assert.ok(found.type === 'search');
    assert.deepEqual(found.messages, []);

    // bob sees a second message, goes away; carol edits it meanwhile.
    const second = await carol.ask({
      type: 'send',
      room: '#general',
      text: 'giraffe at two',
      ref: ref(),
    });
    const secondId = second.type === 'ack' ? second.id : 0;
    await bob.next((f) => f.type === 'msg' && f.id === secondId);
    await bob.close();
    await carol.ask({
      type: 'edit',
      room: '#general',
      id: secondId,
      text: 'giraffe at three',
      ref: ref(),
    });
    const back = await connect('bob', { resume: { '#general': secondId }, epoch });
    const missed = await back.updates();
    assert.ok(missed.type === 'update');
    assert.equal(missed.message.id, secondId);
    assert.equal(missed.message.text, 'giraffe at three');
    const giraffe = await back.ask({ type: 'search', text: 'giraffe', ref: ref() });
    assert.ok(giraffe.type === 'search');
    assert.deepEqual(
      giraffe.messages.map((m: StoredMessage) => m.text),
      ['giraffe at three'],
    );

    // A direct message: both sides hear of its edit.
    const dm = await carol.ask({ type: 'dm', to: 'bob', text: 'psst', ref: ref() });
    const dmId = dm.type === 'ack' ? dm.id : 0;
    await carol.ask({ type: 'edit', room: '@bob', id: dmId, text: 'psst, psst', ref: ref() });
    const dmUpdate = await back.updates();
    assert.ok(dmUpdate.type === 'update');
    assert.deepEqual([dmUpdate.message.type, dmUpdate.message.text], ['dm', 'psst, psst']);
    const bobDeletes = await back.ask({ type: 'delete', room: '@carol', id: dmId, ref: ref() });
    assert.equal(bobDeletes.type === 'error' && bobDeletes.code, 'not_author');
  });

  it('chat history export shows the messages as they are now', async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
    await started.server.close();
    const lines: string[] = [];
    await runHistoryExport({ data, certs: team.certsDir, room: '#general' }, {
      out: (line) => lines.push(line),
      err: () => {},
    } as Parameters<typeof runHistoryExport>[1]);
    const messages = lines.map((line) => JSON.parse(line) as StoredMessage);
    assert.deepEqual(
      messages.map((m) => [m.id, m.text, m.deleted !== undefined, m.edited !== undefined]),
      [
        [1, '', true, true],
        [2, 'giraffe at three', false, true],
      ],
    );
    started = await startServer(team, {}); // for after()
  });
});
