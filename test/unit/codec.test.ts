import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeFrame,
  MAX_PARSE_MESSAGE_CHARS,
  parseClientFrame,
  parseServerFrame,
} from '../../src/net/protocol/codec.ts';
import {
  type ClientFrameType,
  clientFrameSchemas,
  MAX_TEXT_CHARS,
  type ServerFrameType,
  serverFrameSchemas,
} from '../../src/net/protocol/frames.ts';

const clientExamples: Record<ClientFrameType, object[]> = {
  hello: [
    { type: 'hello', v: 1, client: 'chat/0.1.0 (linux)' },
    { type: 'hello', v: 1, client: 'chat', resume: { '#general': 41, '@bo': 0 }, join: ['#ops'] },
  ],
  send: [
    { type: 'send', room: '#general', text: 'héllo 😀 中文\n\tsecond line', ref: 'c1' },
    { type: 'send', room: '#a-b_1', text: 'waves', ref: 'r!~', action: true },
  ],
  dm: [{ type: 'dm', to: 'bo', text: 'psst', ref: 'd1' }],
  join: [{ type: 'join', room: '#ops' }],
  part: [{ type: 'part', room: '#ops' }],
  history: [
    { type: 'history', room: '#general', limit: 50 },
    { type: 'history', room: '@bo', before: 120, limit: 200 },
  ],
  topic: [
    { type: 'topic', room: '#general', text: 'Release on Friday' },
    { type: 'topic', room: '#general', text: '' },
  ],
  away: [{ type: 'away', text: 'lunch' }],
  back: [{ type: 'back' }],
  ping: [{ type: 'ping', ref: 'p1' }],
  pong: [{ type: 'pong', ref: 'p1' }],
  auth: [
    { type: 'auth', password: 'correct horse battery staple' },
    { type: 'auth', password: 'é'.repeat(512) },
  ],
  read: [
    { type: 'read', room: '#general', id: 42 },
    { type: 'read', room: '@bo', id: 0 },
  ],
  search: [
    { type: 'search', text: 'deploy friday', ref: 's1' },
    { type: 'search', text: 'Ünïcode 😀', room: '@bo', limit: 100, ref: 's2' },
  ],
  list: [{ type: 'list', ref: 'l1' }],
  whois: [{ type: 'whois', user: 'bo', ref: 'w1' }],
  keys: [{ type: 'keys', user: 'bo', ref: 'k1' }],
  edit: [
    { type: 'edit', room: '#general', id: 43, text: 'fixed typo', ref: 'e1' },
    { type: 'edit', room: '@bo', id: 2, text: 'psst!', ref: 'e2' },
  ],
  delete: [{ type: 'delete', room: '#general', id: 43, ref: 'x1' }],
  moderate: [
    { type: 'moderate', action: 'kick', room: '#ops', user: 'bo', reason: 'off topic', ref: 'm1' },
    { type: 'moderate', action: 'ban', user: 'bo', duration: 3600, ref: 'm2' },
    { type: 'moderate', action: 'topic-lock', room: '#ops', ref: 'm3' },
  ],
};

const roomState = { room: '#general', topic: 'hi', members: ['al', 'bo'], lastId: 42 };
const serverExamples: Record<ServerFrameType, object[]> = {
  welcome: [
    {
      type: 'welcome',
      v: 1,
      user: 'al',
      server: 'chat.example.com',
      motd: 'Be kind.',
      rooms: [roomState],
      users: [
        { user: 'al', status: 'online' },
        { user: 'bo', status: 'away', text: 'lunch' },
      ],
      limits: {
        maxFrameBytes: 65536,
        maxTextChars: 4000,
        ratePerSecond: 5,
        rateBurst: 20,
        maxHistory: 200,
      },
    },
  ],
  msg: [
    { type: 'msg', id: 43, ts: 1_700_000_000_000, room: '#general', from: 'bo', text: 'hi 😀' },
    {
      type: 'msg',
      id: 44,
      ts: 1_700_000_000_001,
      room: '#general',
      from: 'bo',
      text: 'waves',
      action: true,
    },
  ],
  dm: [{ type: 'dm', id: 7, ts: 1_700_000_000_000, from: 'bo', to: 'al', text: 'psst' }],
  update: [
    {
      type: 'update',
      message: { type: 'msg', id: 43, ts: 1, room: '#general', from: 'bo', text: 'hi!', edited: 2 },
    },
    {
      type: 'update',
      message: {
        type: 'dm',
        id: 7,
        ts: 1,
        from: 'bo',
        to: 'al',
        text: '',
        deleted: { ts: 3 },
      },
    },
  ],
  moderated: [
    {
      type: 'moderated',
      action: 'ban',
      room: '#ops',
      user: 'bo',
      by: 'al',
      reason: 'spam',
      until: 1_700_000_360_000,
      ts: 1_700_000_000_000,
    },
    { type: 'moderated', action: 'kick', user: 'bo', reason: 'bye', ts: 1_700_000_000_000 },
  ],
  ack: [{ type: 'ack', ref: 'c1', id: 43, ts: 1_700_000_000_000 }],
  joined: [
    { type: 'joined', room: '#ops', user: 'bo', ts: 1_700_000_000_000 },
    { type: 'joined', room: '#ops', user: 'al', ts: 1_700_000_000_000, state: roomState },
  ],
  left: [
    { type: 'left', room: '#ops', user: 'bo', ts: 1_700_000_000_000, reason: 'part' },
    { type: 'left', room: '#ops', user: 'bo', ts: 1_700_000_000_000, reason: 'quit' },
  ],
  presence: [
    { type: 'presence', user: 'bo', status: 'offline' },
    { type: 'presence', user: 'bo', status: 'away', text: 'lunch' },
  ],
  history: [
    {
      type: 'history',
      room: '#general',
      messages: [{ type: 'msg', id: 1, ts: 1, room: '#general', from: 'bo', text: 'first' }],
      more: false,
    },
    {
      type: 'history',
      room: '@bo',
      messages: [{ type: 'dm', id: 2, ts: 2, from: 'bo', to: 'al', text: 'psst' }],
      more: true,
    },
  ],
  topic: [{ type: 'topic', room: '#general', text: 'New topic', by: 'al', ts: 1_700_000_000_000 }],
  error: [
    { type: 'error', code: 'not_member', message: 'join #ops first', ref: 'c1' },
    { type: 'error', code: 'flood', message: 'slow down', fatal: true },
  ],
  ping: [{ type: 'ping', ref: 's1' }],
  pong: [{ type: 'pong', ref: 's1' }],
  auth: [{ type: 'auth', user: 'al' }],
  unread: [
    { type: 'unread', conversations: [] },
    {
      type: 'unread',
      conversations: [
        {
          room: '#general',
          lastId: 44,
          read: 40,
          unread: 4,
          mentions: 1,
          lines: [{ type: 'msg', id: 43, ts: 43, room: '#general', from: 'bo', text: 'al?' }],
          topic: { text: 'New topic', by: 'bo', ts: 1_700_000_000_000 },
        },
      ],
      since: 1_700_000_000_000,
    },
  ],
  read: [{ type: 'read', room: '@bo', id: 7 }],
  search: [
    { type: 'search', ref: 's1', messages: [], more: false },
    {
      type: 'search',
      ref: 's2',
      messages: [
        { type: 'dm', id: 2, ts: 2, from: 'bo', to: 'al', text: 'deploy 😀' },
        { type: 'msg', id: 1, ts: 1, room: '#general', from: 'bo', text: 'Deploy' },
      ],
      more: true,
    },
  ],
  list: [
    { type: 'list', ref: 'l1', rooms: [], more: false },
    {
      type: 'list',
      ref: 'l2',
      rooms: [{ room: '#general', members: 2, topic: 'Ünïcode 😀' }],
      more: true,
    },
  ],
  whois: [
    {
      type: 'whois',
      ref: 'w1',
      user: 'bo',
      online: false,
      devices: 0,
      status: 'offline',
      fingerprints: [],
    },
    {
      type: 'whois',
      ref: 'w2',
      user: 'bo',
      online: true,
      devices: 2,
      status: 'away',
      text: 'lunch',
      idleMs: 1500,
      fingerprints: [
        'AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB',
      ],
    },
  ],
  keys: [
    { type: 'keys', ref: 'k1', user: 'bo', certs: [] },
    { type: 'keys', ref: 'k2', user: 'bo', certs: ['MIIBkTCCATeg', 'MIIBkjCCATig=='] },
  ],
};

describe('encodeFrame', () => {
  it('writes one line of JSON ending in a newline', () => {
    const line = encodeFrame({ type: 'send', room: '#a', text: 'two\nlines', ref: 'r' });
    assert.equal(line, '{"type":"send","room":"#a","text":"two\\nlines","ref":"r"}\n');
    assert.equal(line.indexOf('\n'), line.length - 1);
  });
});

describe('parseClientFrame', () => {
  it('has an example for every client frame type', () => {
    assert.deepEqual(Object.keys(clientExamples).sort(), Object.keys(clientFrameSchemas).sort());
  });

  for (const [type, examples] of Object.entries(clientExamples)) {
    for (const example of examples) {
      it(`accepts ${JSON.stringify(example)}`, () => {
        const line = encodeFrame(example).slice(0, -1);
        const result = parseClientFrame(line);
        assert.deepEqual(result, { ok: true, frame: example });
        assert.equal(result.ok && result.frame.type, type);
      });
    }
  }

  it('returns a fresh object', () => {
    const result = parseClientFrame('{"type":"join","room":"#a"}');
    assert.ok(result.ok);
    assert.equal(Object.getPrototypeOf(result.frame), Object.prototype);
  });

  const send = '"type":"send","room":"#general","ref":"r1"';
  const bad: [string, string, 'bad_json' | 'unknown_type' | 'invalid_frame', RegExp?][] = [
    ['broken JSON', '{"type":"send"', 'bad_json'],
    ['an empty line', '', 'bad_json'],
    ['trailing garbage', '{"type":"back"} x', 'bad_json'],
    ['an array', '[{"type":"back"}]', 'bad_json'],
    ['a number', '42', 'bad_json'],
    ['a string', '"back"', 'bad_json'],
    ['null', 'null', 'bad_json'],
    ['true', 'true', 'bad_json'],
    ['a missing type', '{"room":"#a"}', 'invalid_frame', /"type"/],
    ['a numeric type', '{"type":1}', 'invalid_frame', /"type"/],
    ['a null type', '{"type":null}', 'invalid_frame', /"type"/],
    ['an unknown type', '{"type":"nick","name":"x"}', 'unknown_type', /"nick"/],
    ['type "__proto__"', '{"type":"__proto__"}', 'unknown_type'],
    ['type "constructor"', '{"type":"constructor"}', 'unknown_type'],
    ['type "toString"', '{"type":"toString"}', 'unknown_type'],
    ['type "hasOwnProperty"', '{"type":"hasOwnProperty"}', 'unknown_type'],
    ['a server-only type', '{"type":"welcome"}', 'unknown_type'],
    ['an upper-case type', '{"type":"SEND"}', 'unknown_type'],
    [
      'an extra field',
      `{${send},"text":"hi","admin":true}`,
      'invalid_frame',
      /^send: unexpected field "admin"$/,
    ],
    [
      'a "__proto__" key',
      `{${send},"text":"hi","__proto__":{"admin":true}}`,
      'invalid_frame',
      /^send: unexpected field "__proto__"$/,
    ],
    [
      'a "constructor" key',
      '{"type":"back","constructor":{}}',
      'invalid_frame',
      /^back: unexpected field "constructor"$/,
    ],
    [
      'ESC in text',
      `{${send},"text":"hi \\u001b[2J"}`,
      'invalid_frame',
      /^send\.text: must not contain control characters$/,
    ],
    ['a C1 control in text', `{${send},"text":"\\u009b2J"}`, 'invalid_frame', /^send\.text: /],
    ['a bare \\r in text', `{${send},"text":"a\\rb"}`, 'invalid_frame', /^send\.text: /],
    ['an empty password', '{"type":"auth","password":""}', 'invalid_frame', /^auth\.password: /],
    [
      'keys for a bad name',
      '{"type":"keys","user":"Bob","ref":"k"}',
      'invalid_frame',
      /^keys\.user: /,
    ],
    [
      'a password over 1024 bytes',
      `{"type":"auth","password":"${'é'.repeat(513)}"}`,
      'invalid_frame',
      /^auth\.password: must be at most 1024 bytes$/,
    ],
    [
      'a lone surrogate in text',
      `{${send},"text":"x\\ud800"}`,
      'invalid_frame',
      /^send\.text: must be well-formed Unicode$/,
    ],
    ['an empty text', `{${send},"text":""}`, 'invalid_frame', /^send\.text: /],
    ['a numeric text', `{${send},"text":5}`, 'invalid_frame', /^send\.text: /],
    ['a missing text', `{${send}}`, 'invalid_frame', /^send\.text: /],
    ['a string action', `{${send},"text":"hi","action":"yes"}`, 'invalid_frame', /^send\.action: /],
    [
      'a room without #',
      '{"type":"join","room":"general"}',
      'invalid_frame',
      /^join\.room: must be #/,
    ],
    ['an upper-case room', '{"type":"join","room":"#General"}', 'invalid_frame', /^join\.room: /],
    ['a numeric room', '{"type":"join","room":7}', 'invalid_frame', /^join\.room: /],
    ['a ref with a space', '{"type":"ping","ref":"a b"}', 'invalid_frame', /^ping\.ref: /],
    [
      'a string limit',
      '{"type":"history","room":"#a","limit":"10"}',
      'invalid_frame',
      /^history\.limit: /,
    ],
    [
      'a limit over the max',
      '{"type":"history","room":"#a","limit":201}',
      'invalid_frame',
      /^history\.limit: /,
    ],
    [
      'a fractional before',
      '{"type":"history","room":"#a","before":1.5,"limit":1}',
      'invalid_frame',
      /^history\.before: /,
    ],
    [
      'a DM to @user',
      '{"type":"dm","to":"@bo","text":"x","ref":"r"}',
      'invalid_frame',
      /^dm\.to: /,
    ],
    [
      'a bad room in join list',
      '{"type":"hello","v":1,"client":"c","join":["#a","b"]}',
      'invalid_frame',
      /^hello\.join\[1\]: /,
    ],
    [
      'a bad resume id',
      '{"type":"hello","v":1,"client":"c","resume":{"#a":-1}}',
      'invalid_frame',
      /^hello\.resume\["#a"\]: /,
    ],
    ['version 0', '{"type":"hello","v":0,"client":"c"}', 'invalid_frame', /^hello\.v: /],
    [
      'a topic over the max',
      `{"type":"topic","room":"#a","text":"${'x'.repeat(301)}"}`,
      'invalid_frame',
      /^topic\.text: /,
    ],
  ];

  for (const [name, line, code, message] of bad) {
    it(`refuses ${name} with ${code}`, () => {
      const result = parseClientFrame(line);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.code, code);
      if (message) assert.match(result.message, message);
      assert.ok(result.message.length <= MAX_PARSE_MESSAGE_CHARS);
      assert.match(result.message, /^[\x20-\x7e]+$/, 'one printable ASCII line');
    });
  }

  it('refuses a text over the max but takes one at the max, counted in characters', () => {
    const at = 'x'.repeat(MAX_TEXT_CHARS - 1);
    const ok = parseClientFrame(
      JSON.stringify({ type: 'send', room: '#a', text: `${at}😀`, ref: 'r' }),
    );
    assert.equal(ok.ok, true);
    const over = parseClientFrame(
      JSON.stringify({ type: 'send', room: '#a', text: `${at}xx`, ref: 'r' }),
    );
    assert.ok(!over.ok);
    assert.equal(over.code, 'invalid_frame');
    assert.match(over.message, /^send\.text: /);
  });

  it('does not let a "__proto__" key change any prototype', () => {
    const result = parseClientFrame('{"type":"back","__proto__":{"polluted":true}}');
    assert.equal(result.ok, false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('keeps messages short and printable whatever the peer sent', () => {
    const cases = [
      `{"type":"${'\\u001b'.repeat(50)}${'a'.repeat(10_000)}"}`,
      `{"type":"back","${'\\u001b[31m'.repeat(100)}":1}`,
      `\u001b[2J${'{'.repeat(10_000)}`,
      `{"type":"hello","v":1,"client":"c","resume":{"${'\\u009b'.repeat(300)}":1}}`,
    ];
    for (const line of cases) {
      const result = parseClientFrame(line);
      assert.ok(!result.ok);
      assert.ok(result.message.length <= MAX_PARSE_MESSAGE_CHARS, result.message);
      assert.match(result.message, /^[\x20-\x7e]+$/);
    }
  });
});

describe('parseServerFrame', () => {
  it('has an example for every server frame type', () => {
    assert.deepEqual(Object.keys(serverExamples).sort(), Object.keys(serverFrameSchemas).sort());
  });

  for (const [type, examples] of Object.entries(serverExamples)) {
    for (const example of examples) {
      it(`round-trips ${type} ${JSON.stringify(example).slice(0, 60)}`, () => {
        const line = encodeFrame(example);
        assert.ok(line.endsWith('\n'));
        assert.deepEqual(parseServerFrame(line.slice(0, -1)), { ok: true, frame: example });
      });
    }
  }

  it('refuses a client-only type, an extra field and a bad member', () => {
    const cases: [string, string, RegExp][] = [
      ['{"type":"send"}', 'unknown_type', /"send"/],
      ['{"type":"ping","ref":"p","x":1}', 'invalid_frame', /^ping: unexpected field "x"$/],
      ['{"type":"presence","user":"bo","status":"busy"}', 'invalid_frame', /^presence\.status: /],
      [
        '{"type":"msg","id":1,"ts":1,"room":"#a","from":"bo","text":"\\u001b]0;pwned\\u0007"}',
        'invalid_frame',
        /^msg\.text: must not contain control characters$/,
      ],
    ];
    for (const [line, code, message] of cases) {
      const result = parseServerFrame(line);
      assert.ok(!result.ok, line);
      assert.equal(result.code, code);
      assert.match(result.message, message);
    }
  });
});
