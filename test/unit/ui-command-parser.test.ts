import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, type ParsedInput, parseInput } from '../../src/ui/input/command-parser.ts';

const inRoom = { current: '#general' };
const inDm = { current: '@alice' };

type Case = [line: string, expected: ParsedInput, ctx?: { current: string }];

function table(cases: Case[]) {
  for (const [line, expected, ctx = inRoom] of cases) {
    it(`${JSON.stringify(line)} in ${ctx.current} -> ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseInput(line, ctx), expected));
  }
}

describe('parseInput: empty lines and messages', () => {
  table([
    ['', { kind: 'empty' }],
    ['   ', { kind: 'empty' }],
    ['\t \n\n', { kind: 'empty' }],
    ['\r\n', { kind: 'empty' }],
    ['hello', { kind: 'say', text: 'hello' }],
    ['  indented stays', { kind: 'say', text: '  indented stays' }],
    ['trailing spaces stay  ', { kind: 'say', text: 'trailing spaces stay  ' }],
    ['line one\nline two', { kind: 'say', text: 'line one\nline two' }],
    ['pasted\n\n', { kind: 'say', text: 'pasted' }],
    ['crlf paste\r\n', { kind: 'say', text: 'crlf paste' }],
    ['a\n\nb\n', { kind: 'say', text: 'a\n\nb' }],
    [' /join #x', { kind: 'say', text: ' /join #x' }],
    ['héllo 👋 世界', { kind: 'say', text: 'héllo 👋 世界' }],
    ['path/like/text', { kind: 'say', text: 'path/like/text' }],
    ['//', { kind: 'say', text: '/' }],
    ['//join #ops', { kind: 'say', text: '/join #ops' }],
    ['//shrug', { kind: 'say', text: '/shrug' }],
    ['///', { kind: 'say', text: '//' }],
    ['//x\n', { kind: 'say', text: '/x' }],
  ]);
});

describe('parseInput: /join and /j', () => {
  table([
    ['/join #ops', { kind: 'join', room: '#ops' }],
    ['/join ops', { kind: 'join', room: '#ops' }],
    ['/join OPS', { kind: 'join', room: '#ops' }],
    ['/join #Dev-Team_2', { kind: 'join', room: '#dev-team_2' }],
    ['/JOIN #ops', { kind: 'join', room: '#ops' }],
    ['/Join   #ops   ', { kind: 'join', room: '#ops' }],
    ['/join #ops\n', { kind: 'join', room: '#ops' }],
    ['/j ops', { kind: 'join', room: '#ops' }],
    ['/J #ops', { kind: 'join', room: '#ops' }],
    [`/join ${'a'.repeat(32)}`, { kind: 'join', room: `#${'a'.repeat(32)}` }],
    ['/join #ops', { kind: 'join', room: '#ops' }, inDm],
  ]);
  const bad = [
    '/join',
    '/join   ',
    '/join #',
    '/join ##ops',
    '/join #o.ps',
    '/join #é',
    `/join ${'a'.repeat(33)}`,
    '/join #a #b',
    '/j',
  ];
  for (const line of bad) {
    it(`${JSON.stringify(line)} is an error with the usage`, () => {
      const parsed = parseInput(line, inRoom);
      assert.equal(parsed.kind, 'error');
      assert.match(parsed.kind === 'error' ? parsed.hint : '', /usage: \/join #room/);
    });
  }
  it('a user given to /join points to /msg', () =>
    assert.deepEqual(parseInput('/join @bob', inRoom), {
      kind: 'error',
      hint: '@bob is a user: /msg bob',
    }));
});

describe('parseInput: /part', () => {
  table([
    ['/part', { kind: 'part', room: '#general' }],
    ['/part   ', { kind: 'part', room: '#general' }],
    ['/PART', { kind: 'part', room: '#general' }],
    ['/part #ops', { kind: 'part', room: '#ops' }],
    ['/part OPS', { kind: 'part', room: '#ops' }],
    ['/part #ops', { kind: 'part', room: '#ops' }, inDm],
  ]);
  const bad: Array<[string, { current: string }]> = [
    ['/part', inDm],
    ['/part', { current: '' }],
    ['/part #a #b', inRoom],
    ['/part @bob', inRoom],
    ['/part #bad!', inRoom],
  ];
  for (const [line, ctx] of bad) {
    it(`${JSON.stringify(line)} in ${JSON.stringify(ctx.current)} is an error`, () => {
      const parsed = parseInput(line, ctx);
      assert.equal(parsed.kind, 'error');
      assert.match(parsed.kind === 'error' ? parsed.hint : '', /usage: \/part \[#room\]/);
    });
  }
});

describe('parseInput: /msg and /query', () => {
  table([
    ['/msg bob hi there', { kind: 'msg', to: 'bob', text: 'hi there' }],
    ['/msg @bob hi', { kind: 'msg', to: 'bob', text: 'hi' }],
    ['/msg Bob hi', { kind: 'msg', to: 'bob', text: 'hi' }],
    ['/msg bob', { kind: 'msg', to: 'bob', text: undefined }],
    ['/msg bob   ', { kind: 'msg', to: 'bob', text: undefined }],
    ['/msg bob\n', { kind: 'msg', to: 'bob', text: undefined }],
    ['/msg bob  two  spaces kept', { kind: 'msg', to: 'bob', text: 'two  spaces kept' }],
    ['/msg bob line 1\nline 2\n', { kind: 'msg', to: 'bob', text: 'line 1\nline 2' }],
    ['/msg bob\nnext line', { kind: 'msg', to: 'bob', text: 'next line' }],
    ['/msg bob /not a command', { kind: 'msg', to: 'bob', text: '/not a command' }],
    ['/MSG x_1-y hi', { kind: 'msg', to: 'x_1-y', text: 'hi' }],
    ['/query bob', { kind: 'msg', to: 'bob', text: undefined }],
    ['/QUERY @bob yo', { kind: 'msg', to: 'bob', text: 'yo' }],
  ]);
  const bad = [
    '/msg',
    '/msg   ',
    '/msg @',
    '/msg #ops hi',
    '/msg b.o.b hi',
    `/msg ${'b'.repeat(33)}`,
  ];
  for (const line of bad) {
    it(`${JSON.stringify(line)} is an error with the usage`, () => {
      const parsed = parseInput(line, inRoom);
      assert.equal(parsed.kind, 'error');
      assert.match(parsed.kind === 'error' ? parsed.hint : '', /usage: \/msg user \[text\]/);
    });
  }
});

describe('parseInput: /me', () => {
  table([
    ['/me waves', { kind: 'me', text: 'waves' }],
    ['/ME waves', { kind: 'me', text: 'waves' }],
    ['/me   waves  ', { kind: 'me', text: 'waves' }],
    ['/me waves\nand leaves\n', { kind: 'me', text: 'waves\nand leaves' }],
    ['/me waves', { kind: 'me', text: 'waves' }, inDm],
  ]);
  for (const line of ['/me', '/me   ', '/me\n']) {
    it(`${JSON.stringify(line)} needs an action`, () =>
      assert.deepEqual(parseInput(line, inRoom), { kind: 'error', hint: 'usage: /me action' }));
  }
});

describe('parseInput: /topic', () => {
  table([
    ['/topic', { kind: 'topic', text: undefined }],
    ['/topic   ', { kind: 'topic', text: undefined }],
    ['/topic Release on Friday', { kind: 'topic', text: 'Release on Friday' }],
    ['/TOPIC  spaced  ', { kind: 'topic', text: 'spaced' }],
    ['/topic -delete', { kind: 'topic', text: '' }],
    ['/topic -DELETE', { kind: 'topic', text: '' }],
    [`/topic ${'t'.repeat(300)}`, { kind: 'topic', text: 't'.repeat(300) }],
  ]);
  it('refuses a topic over 300 characters', () =>
    assert.deepEqual(parseInput(`/topic ${'t'.repeat(301)}`, inRoom), {
      kind: 'error',
      hint: 'the topic is too long: at most 300 characters',
    }));
  it('refuses a multi-line topic', () =>
    assert.deepEqual(parseInput('/topic a\nb', inRoom), {
      kind: 'error',
      hint: 'the topic must be one line',
    }));
  for (const line of ['/topic', '/topic new']) {
    it(`${JSON.stringify(line)} in a direct conversation is an error`, () =>
      assert.equal(parseInput(line, inDm).kind, 'error'));
  }
});

describe('parseInput: /away and /back', () => {
  table([
    ['/away', { kind: 'away', text: 'away' }],
    ['/away   ', { kind: 'away', text: 'away' }],
    ['/away lunch, back at 2', { kind: 'away', text: 'lunch, back at 2' }],
    ['/AWAY  gone ', { kind: 'away', text: 'gone' }],
    ['/away gone', { kind: 'away', text: 'gone' }, inDm],
    [`/away ${'z'.repeat(200)}`, { kind: 'away', text: 'z'.repeat(200) }],
    ['/back', { kind: 'back' }],
    ['/BACK  ', { kind: 'back' }],
  ]);
  it('refuses an away message over 200 characters', () =>
    assert.deepEqual(parseInput(`/away ${'z'.repeat(201)}`, inRoom), {
      kind: 'error',
      hint: 'the away message is too long: at most 200 characters',
    }));
  it('refuses a multi-line away message', () =>
    assert.equal(parseInput('/away a\nb', inRoom).kind, 'error'));
});

describe('parseInput: commands without arguments', () => {
  table([
    ['/who', { kind: 'who' }],
    ['/who', { kind: 'who' }, inDm],
    ['/history', { kind: 'history' }],
    ['/clear', { kind: 'clear' }],
    ['/help', { kind: 'help' }],
    ['/HELP\n', { kind: 'help' }],
    ['/quit', { kind: 'quit' }],
    ['/Quit', { kind: 'quit' }],
    ['/exit', { kind: 'quit' }],
    ['/q', { kind: 'quit' }],
    ['/q   ', { kind: 'quit' }],
  ]);
  const cases: Array<[string, string]> = [
    ['/who #ops', 'usage: /who'],
    ['/back now', 'usage: /back'],
    ['/history 50', 'usage: /history'],
    ['/clear all', 'usage: /clear'],
    ['/help join', 'usage: /help'],
    ['/quit bye', 'usage: /quit'],
    ['/exit now', 'usage: /quit'],
    ['/q x', 'usage: /quit'],
  ];
  for (const [line, hint] of cases) {
    it(`${JSON.stringify(line)} refuses arguments`, () =>
      assert.deepEqual(parseInput(line, inRoom), { kind: 'error', hint }));
  }
});

describe('parseInput: unknown commands are never sent', () => {
  const cases: Array<[string, string]> = [
    ['/foo', 'unknown command /foo: /help lists them'],
    ['/foo bar baz', 'unknown command /foo: /help lists them'],
    ['/FOO', 'unknown command /FOO: /help lists them'],
    ['/joinx #ops', 'unknown command /joinx: /help lists them'],
    ['/etc/passwd is here\nsecond line', 'unknown command /etc/passwd: /help lists them'],
    ['/x\u001b[2Jy', 'unknown command /x?[2Jy: /help lists them'],
    [`/${'k'.repeat(40)}`, `unknown command /${'k'.repeat(24)}…: /help lists them`],
    ['/', 'type a command after /, or start with // to send a /'],
    ['/ hello', 'type a command after /, or start with // to send a /'],
    ['/\nhello', 'type a command after /, or start with // to send a /'],
  ];
  for (const [line, hint] of cases) {
    it(`${JSON.stringify(line)} -> ${hint}`, () =>
      assert.deepEqual(parseInput(line, inRoom), { kind: 'error', hint }));
  }
  it('every error hint is a single line', () => {
    const lines = ['/foo\nbar', '/join a\nb c', '/msg b\u0007d x', '/topic a\nb', '/part'];
    for (const line of lines) {
      const parsed = parseInput(line, inDm);
      assert.equal(parsed.kind, 'error', line);
      const hint = parsed.kind === 'error' ? parsed.hint : '';
      assert.ok(![...hint].some((ch) => ch < ' '), JSON.stringify(hint));
    }
  });
});

describe('COMMANDS', () => {
  it('lists each command once with a usage and help', () => {
    const names = COMMANDS.map((c) => c.name);
    assert.deepEqual(names, [
      'join',
      'part',
      'msg',
      'me',
      'who',
      'names',
      'list',
      'whois',
      'verify',
      'accept',
      'ignore',
      'unignore',
      'close',
      'topic',
      'away',
      'back',
      'history',
      'search',
      'open',
      'edit',
      'delete',
      'op',
      'deop',
      'kick',
      'ban',
      'unban',
      'mute',
      'unmute',
      'mode',
      'set',
      'clear',
      'help',
      'quit',
    ]);
    for (const c of COMMANDS) {
      assert.ok(c.usage.startsWith(`/${c.name}`), c.usage);
      assert.ok(c.help.length > 0 && !c.help.includes('\n'), c.name);
    }
  });
  it('names and aliases do not collide', () => {
    const all = COMMANDS.flatMap((c) => [c.name, ...c.aliases]);
    assert.equal(new Set(all).size, all.length);
  });
  it('every name and alias parses as a command, never as an unknown one', () => {
    for (const c of COMMANDS) {
      for (const name of [c.name, ...c.aliases]) {
        const parsed = parseInput(`/${name}`, inRoom);
        assert.notEqual(parsed.kind, 'say', name);
        if (parsed.kind === 'error') assert.doesNotMatch(parsed.hint, /unknown command/, name);
      }
    }
  });
  it('aliases are the ones documented', () =>
    assert.deepEqual(
      Object.fromEntries(
        COMMANDS.filter((c) => c.aliases.length > 0).map((c) => [c.name, c.aliases]),
      ),
      { join: ['j'], msg: ['query'], close: ['wc'], quit: ['exit', 'q'] },
    ));
});

describe('parseInput: /search', () => {
  table([
    ['/search deploy', { kind: 'search', text: 'deploy' }],
    ['/search  deploy friday  ', { kind: 'search', text: 'deploy friday' }],
    ['/search deploy #Ops', { kind: 'search', text: 'deploy', room: '#ops' }],
    ['/search deploy friday @Bob', { kind: 'search', text: 'deploy friday', room: '@bob' }],
    // A scope alone is a word to search for: there is nothing else to look for.
    ['/search #ops', { kind: 'search', text: '#ops' }],
    ['/search', { kind: 'error', hint: 'usage: /search words [#room]' }],
    [
      '/search x #no.pe',
      {
        kind: 'error',
        hint: 'not a room name: #no.pe (# and 1-32 of a-z 0-9 _ -); usage: /search words [#room]',
      },
    ],
    [
      '/search x @no.pe',
      {
        kind: 'error',
        hint: 'not a user name: @no.pe (1-32 of a-z 0-9 _ -); usage: /search words [#room]',
      },
    ],
    ['/search a\nb', { kind: 'error', hint: 'the search must be one line' }],
    [
      `/search ${'x'.repeat(201)}`,
      { kind: 'error', hint: 'the search is too long: at most 200 characters' },
    ],
  ]);
});

describe('parseInput: /open', () => {
  const hint = 'usage: /open [N]: N counts links from the newest, 1 the newest';
  table([
    ['/open', { kind: 'open', n: 1 }],
    ['/open  ', { kind: 'open', n: 1 }],
    ['/open 1', { kind: 'open', n: 1 }],
    ['/OPEN 3', { kind: 'open', n: 3 }],
    ['/open 012', { kind: 'open', n: 12 }],
    ['/open 999999', { kind: 'open', n: 999_999 }],
    ['/open 1', { kind: 'open', n: 1 }, inDm],
    ['/open 0', { kind: 'error', hint }],
    ['/open -1', { kind: 'error', hint }],
    ['/open 1.5', { kind: 'error', hint }],
    ['/open two', { kind: 'error', hint }],
    ['/open 1 2', { kind: 'error', hint }],
    ['/open 1000000', { kind: 'error', hint }],
    ['/open https://example.com', { kind: 'error', hint }],
  ]);
});

describe('parseInput: /set', () => {
  table([
    ['/set', { kind: 'set' }],
    ['/set Bell', { kind: 'set', name: 'bell' }],
    ['/set bell off', { kind: 'set', change: { name: 'bell', value: false } }],
    ['/set notify ON', { kind: 'set', change: { name: 'notify', value: true } }],
    ['/set backlog 0', { kind: 'set', change: { name: 'backlog', value: 0 } }],
    ['/set backlog 200', { kind: 'set', change: { name: 'backlog', value: 200 } }],
    [
      '/set timestamps hh:mm:ss',
      { kind: 'set', change: { name: 'timestamps', value: 'HH:MM:SS' } },
    ],
    ['/set backlog 201', { kind: 'error', hint: 'backlog takes a whole number from 0 to 200' }],
    ['/set backlog -1', { kind: 'error', hint: 'backlog takes a whole number from 0 to 200' }],
    ['/set timestamps HH', { kind: 'error', hint: 'timestamps takes HH:MM or HH:MM:SS' }],
    ['/set bell maybe', { kind: 'error', hint: 'bell takes on or off' }],
    ['/set presence Off', { kind: 'set', change: { name: 'presence', value: 'off' } }],
    ['/set mouse on', { kind: 'set', change: { name: 'mouse', value: true } }],
    ['/set presence some', { kind: 'error', hint: 'presence takes smart, all or off' }],
    [
      '/set colour red',
      {
        kind: 'error',
        hint: 'no setting colour: backlog, timestamps, notify, bell, presence, mouse',
      },
    ],
    ['/set bell on now', { kind: 'error', hint: 'usage: /set [name [value]]' }],
  ]);
});

describe('parseInput: the commands irssi users type', () => {
  const badUser = (word: string, usage: string) =>
    `not a user name: ${word} (1-32 of a-z 0-9 _ -); usage: ${usage}`;
  table([
    ['/names', { kind: 'names', room: '#general' }],
    ['/names Ops', { kind: 'names', room: '#ops' }],
    ['/NAMES #ops', { kind: 'names', room: '#ops' }],
    ['/names', { kind: 'error', hint: 'this is not a room: usage: /names [#room]' }, inDm],
    ['/names #a #b', { kind: 'error', hint: 'usage: /names [#room]' }],
    ['/list', { kind: 'list' }],
    ['/list now', { kind: 'error', hint: 'usage: /list' }],
    ['/whois Bob', { kind: 'whois', user: 'bob' }],
    ['/whois @bob', { kind: 'whois', user: 'bob' }],
    ['/whois', { kind: 'error', hint: 'usage: /whois user' }],
    ['/whois b.b', { kind: 'error', hint: badUser('b.b', '/whois user') }],
    ['/verify', { kind: 'verify', user: 'alice', confirm: false }, inDm],
    ['/verify yes', { kind: 'verify', user: 'alice', confirm: true }, inDm],
    ['/verify Bob', { kind: 'verify', user: 'bob', confirm: false }, inDm],
    ['/verify @bob YES', { kind: 'verify', user: 'bob', confirm: true }],
    [
      '/verify',
      { kind: 'error', hint: 'whose? usage: /verify [user] [yes] (or run it in the DM window)' },
    ],
    ['/verify bob carol', { kind: 'error', hint: 'usage: /verify [user] [yes]' }],
    ['/verify b.b', { kind: 'error', hint: badUser('b.b', '/verify [user] [yes]') }],
    ['/accept', { kind: 'accept', user: 'alice' }, inDm],
    ['/accept bob', { kind: 'accept', user: 'bob' }],
    ['/accept bob yes', { kind: 'error', hint: 'usage: /accept [user]' }],
    ['/ignore', { kind: 'ignore', user: undefined }],
    ['/ignore Bob', { kind: 'ignore', user: 'bob' }],
    ['/ignore bob carol', { kind: 'error', hint: 'usage: /ignore [user]' }],
    ['/unignore @bob', { kind: 'unignore', user: 'bob' }],
    ['/unignore', { kind: 'error', hint: 'usage: /unignore user' }],
    ['/close', { kind: 'close', name: '#general' }],
    ['/wc', { kind: 'close', name: '@alice' }, inDm],
    ['/close #ops', { kind: 'error', hint: 'usage: /close' }],
  ]);
});

describe('parseInput: operator commands', () => {
  const mod = (fields: Omit<Extract<ParsedInput, { kind: 'moderate' }>, 'kind'>): ParsedInput => ({
    kind: 'moderate',
    ...fields,
  });
  table([
    ['/op bob', mod({ action: 'op', room: '#general', user: 'bob' })],
    ['/deop @Bob', mod({ action: 'deop', room: '#general', user: 'bob' })],
    ['/kick bob', mod({ action: 'kick', room: '#general', user: 'bob' })],
    [
      '/kick bob take it to #general',
      mod({ action: 'kick', room: '#general', user: 'bob', reason: 'take it to #general' }),
    ],
    ['/ban bob', mod({ action: 'ban', room: '#general', user: 'bob' })],
    [
      '/ban bob 10m flooding',
      mod({ action: 'ban', room: '#general', user: 'bob', duration: 600, reason: 'flooding' }),
    ],
    ['/ban bob 30', mod({ action: 'ban', room: '#general', user: 'bob', duration: 1800 })],
    [
      '/ban bob flooding again',
      mod({ action: 'ban', room: '#general', user: 'bob', reason: 'flooding again' }),
    ],
    [
      '/ban -server mallory 1w spam',
      mod({ action: 'ban', user: 'mallory', duration: 604_800, reason: 'spam' }),
    ],
    ['/ban -server mallory', mod({ action: 'ban', user: 'mallory' }), inDm],
    ['/unban bob', mod({ action: 'unban', room: '#general', user: 'bob' })],
    ['/unban -server bob', mod({ action: 'unban', user: 'bob' })],
    ['/mute bob 2h', mod({ action: 'mute', room: '#general', user: 'bob', duration: 7200 })],
    ['/mute bob', mod({ action: 'mute', room: '#general', user: 'bob' })],
    ['/unmute bob', mod({ action: 'unmute', room: '#general', user: 'bob' })],
    ['/mode +t', mod({ action: 'topic-lock', room: '#general' })],
    ['/mode -t', mod({ action: 'topic-unlock', room: '#general' })],
    ['/mode #ops +topic-lock', mod({ action: 'topic-lock', room: '#ops' })],
    ['/mode ops -TOPIC-LOCK', mod({ action: 'topic-unlock', room: '#ops' })],
    ['/mode #ops +t', mod({ action: 'topic-lock', room: '#ops' }), inDm],
  ]);

  const errors: Array<[string, RegExp, { current: string }?]> = [
    ['/kick', /usage: \/kick user \[reason\]/],
    ['/kick b!b', /not a user name: b!b/],
    ['/kick bob', /operators act in rooms/, inDm],
    ['/op bob now', /usage: \/op user/],
    ['/unmute bob please', /usage: \/unmute user/],
    ['/ban bob 10x', /not a duration: 10x/],
    ['/mute bob 0s', /at least 1s/],
    ['/ban bob 400d', /a year/],
    ['/kick -server bob', /only \/ban and \/unban take -server/],
    [`/kick bob ${'x'.repeat(301)}`, /reason is too long: at most 300/],
    ['/mode', /usage: \/mode/],
    ['/mode +x', /unknown mode \+x: \+t/],
    ['/mode +t', /this is not a room/, inDm],
    ['/mode #o!s +t', /not a room name/],
  ];
  for (const [line, hint, ctx = inRoom] of errors) {
    it(`${JSON.stringify(line.slice(0, 40))} in ${ctx.current} -> one line: ${hint}`, () => {
      const parsed = parseInput(line, ctx);
      assert.equal(parsed.kind, 'error');
      if (parsed.kind === 'error') {
        assert.match(parsed.hint, hint);
        assert.equal(parsed.hint.includes('\n'), false);
      }
    });
  }
});

describe('parseInput: /edit and /delete', () => {
  table([
    ['/edit', { kind: 'edit', text: undefined }],
    ['/edit fixed the typo', { kind: 'edit', text: 'fixed the typo' }],
    ['/edit   ', { kind: 'edit', text: undefined }],
    ['/delete', { kind: 'delete' }],
    ['/delete 3', { kind: 'error', hint: 'usage: /delete' }],
  ]);
});
