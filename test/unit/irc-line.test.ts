import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ctcp,
  IRC_LIMITS,
  IRC_LINE_ERROR_CODES,
  IRC_MAX_LINE_BYTES,
  type IrcDecodeEvent,
  IrcLineDecoder,
  type IrcMessage,
  type IrcTags,
  type ParsedLine,
  parseIrcLine,
  serializeIrcLine,
} from '../../src/server/irc/irc-line.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0x1bc_22);
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

const utf8 = new TextEncoder();
const byteLength = (text: string): number => utf8.encode(text).length;
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? utf8.encode(p) : Uint8Array.from(p))));

/** The ParsedLine a test expects; `tags` defaults to {} and `source` is left out when absent. */
function message(
  command: string,
  params: string[] = [],
  extra: { tags?: IrcTags; source?: string } = {},
): ParsedLine {
  const parsed: ParsedLine = { kind: 'message', tags: extra.tags ?? {}, command, params };
  if (extra.source !== undefined) parsed.source = extra.source;
  return parsed;
}

const codeOf = (result: ReturnType<typeof parseIrcLine>): string =>
  result.kind === 'error' ? result.code : 'ok';

describe('parseIrcLine', () => {
  // [input, expected]: the Modern IRC document's examples (Message Format,
  // Tags, Parameters), the IRCv3 message-tags examples, and cases from the
  // ircdocs parser-tests vectors (msg-split.yaml).
  const cases: [string, ParsedLine][] = [
    // Modern IRC, complete messages
    [
      ':irc.example.com CAP LS * :multi-prefix extended-join sasl',
      message('CAP', ['LS', '*', 'multi-prefix extended-join sasl'], { source: 'irc.example.com' }),
    ],
    [
      "@id=234AB :dan!d@localhost PRIVMSG #chan :Hey what's up!",
      message('PRIVMSG', ['#chan', "Hey what's up!"], {
        tags: { id: '234AB' },
        source: 'dan!d@localhost',
      }),
    ],
    ['CAP REQ :sasl', message('CAP', ['REQ', 'sasl'])],
    // Modern IRC, tags (a key without '=' is `true`; `key=` is '')
    ['@id=123AB;rose PING x', message('PING', ['x'], { tags: { id: '123AB', rose: true } })],
    [
      '@url=;netsplit=tur,ty PING x',
      message('PING', ['x'], { tags: { url: '', netsplit: 'tur,ty' } }),
    ],
    // Modern IRC, parameters
    [
      ':irc.example.com CAP * LIST :',
      message('CAP', ['*', 'LIST', ''], { source: 'irc.example.com' }),
    ],
    ['CAP * LS :multi-prefix sasl', message('CAP', ['*', 'LS', 'multi-prefix sasl'])],
    ['CAP REQ :sasl message-tags foo', message('CAP', ['REQ', 'sasl message-tags foo'])],
    [
      ':dan!d@localhost PRIVMSG #chan :Hey!',
      message('PRIVMSG', ['#chan', 'Hey!'], { source: 'dan!d@localhost' }),
    ],
    [
      ':dan!d@localhost PRIVMSG #chan Hey!',
      message('PRIVMSG', ['#chan', 'Hey!'], { source: 'dan!d@localhost' }),
    ],
    [
      ':dan!d@localhost PRIVMSG #chan ::-)',
      message('PRIVMSG', ['#chan', ':-)'], { source: 'dan!d@localhost' }),
    ],
    // IRCv3 message tags
    [
      ':nick!ident@host.com PRIVMSG me :Hello',
      message('PRIVMSG', ['me', 'Hello'], { source: 'nick!ident@host.com' }),
    ],
    [
      '@aaa=bbb;ccc;example.com/ddd=eee :nick!ident@host.com PRIVMSG me :Hello',
      message('PRIVMSG', ['me', 'Hello'], {
        tags: { aaa: 'bbb', ccc: true, 'example.com/ddd': 'eee' },
        source: 'nick!ident@host.com',
      }),
    ],
    [
      '@example-tag=example-value PRIVMSG #channel :Message',
      message('PRIVMSG', ['#channel', 'Message'], { tags: { 'example-tag': 'example-value' } }),
    ],
    [
      '@+example-client-tag=example-value PRIVMSG #channel :Message',
      message('PRIVMSG', ['#channel', 'Message'], {
        tags: { '+example-client-tag': 'example-value' },
      }),
    ],
    [
      '@+example.com/foo=bar :irc.example.com NOTICE #channel :A vendor-prefixed client-only tagged message',
      message('NOTICE', ['#channel', 'A vendor-prefixed client-only tagged message'], {
        tags: { '+example.com/foo': 'bar' },
        source: 'irc.example.com',
      }),
    ],
    [
      '@+example=raw+:=,escaped\\:\\s\\\\ :irc.example.com NOTICE #channel :Message',
      message('NOTICE', ['#channel', 'Message'], {
        tags: { '+example': 'raw+:=,escaped; \\' },
        source: 'irc.example.com',
      }),
    ],
    [
      '@label=123;+example-client-tag=example-value TAGMSG #channel',
      message('TAGMSG', ['#channel'], {
        tags: { label: '123', '+example-client-tag': 'example-value' },
      }),
    ],
    [
      '@+example-client-tag=example-value TAGMSG @#channel',
      message('TAGMSG', ['@#channel'], { tags: { '+example-client-tag': 'example-value' } }),
    ],
    // Escapes, one by one
    [
      '@a=b\\\\and\\nk;c=72\\s45;d=gh\\:764 FOO',
      message('FOO', [], { tags: { a: 'b\\and\nk', c: '72 45', d: 'gh;764' } }),
    ],
    [
      '@foo=\\\\\\\\\\:\\\\s\\s\\r\\n COMMAND',
      message('COMMAND', [], { tags: { foo: '\\\\;\\s \r\n' } }),
    ],
    // char at a time: `\\n` is a backslash then n, not a newline
    ['@tag1=value\\\\ntest COMMAND', message('COMMAND', [], { tags: { tag1: 'value\\ntest' } })],
    ['@tag1=value\\1 COMMAND', message('COMMAND', [], { tags: { tag1: 'value1' } })],
    ['@tag1=value1\\ COMMAND', message('COMMAND', [], { tags: { tag1: 'value1' } })],
    ['@a=\\ COMMAND', message('COMMAND', [], { tags: { a: '' } })],
    ['@a=é\\😀 COMMAND', message('COMMAND', [], { tags: { a: 'é😀' } })],
    // a repeated key keeps its last value
    [
      '@tag1=1;tag2=3;tag1=5;vendor/tag2=8 COMMAND',
      message('COMMAND', [], { tags: { tag1: '5', tag2: '3', 'vendor/tag2': '8' } }),
    ],
    ['@a=1;a COMMAND', message('COMMAND', [], { tags: { a: true } })],
    // parameters: spaces, colons, none
    ['foo bar baz asdf', message('FOO', ['bar', 'baz', 'asdf'])],
    [
      ':coolguy foo bar baz :  asdf quux ',
      message('FOO', ['bar', 'baz', '  asdf quux '], { source: 'coolguy' }),
    ],
    [
      ':coolguy PRIVMSG bar :lol :) ',
      message('PRIVMSG', ['bar', 'lol :) '], { source: 'coolguy' }),
    ],
    ['foo bar baz ::asdf', message('FOO', ['bar', 'baz', ':asdf'])],
    ['foo a:b c:', message('FOO', ['a:b', 'c:'])],
    [':src JOIN :#chan', message('JOIN', ['#chan'], { source: 'src' })],
    [':src AWAY', message('AWAY', [], { source: 'src' })],
    [':src AWAY ', message('AWAY', [], { source: 'src' })],
    ['COMMAND', message('COMMAND')],
    ['privmsg #a :b', message('PRIVMSG', ['#a', 'b'])],
    // several spaces between parts
    [
      ':gravel.mozilla.org 432  #momo :Erroneous Nickname: Illegal characters',
      message('432', ['#momo', 'Erroneous Nickname: Illegal characters'], {
        source: 'gravel.mozilla.org',
      }),
    ],
    [
      ':services.esper.net MODE #foo-bar +o foobar  ',
      message('MODE', ['#foo-bar', '+o', 'foobar'], { source: 'services.esper.net' }),
    ],
    [
      '@a=b   :src   CMD   x   :y  z',
      message('CMD', ['x', 'y  z'], { tags: { a: 'b' }, source: 'src' }),
    ],
    ['  NICK dan', message('NICK', ['dan'])],
    // a tab is not a space; control codes are kept
    [':cool\tguy foo bar baz', message('FOO', ['bar', 'baz'], { source: 'cool\tguy' })],
    [
      ':coolguy!~ag@n\x02et\x0305w\x0fork.admin PRIVMSG foo :bar baz',
      message('PRIVMSG', ['foo', 'bar baz'], { source: 'coolguy!~ag@n\x02et\x0305w\x0fork.admin' }),
    ],
    [
      'PRIVMSG #c :\x02bold\x02 \x0304,01red\x03 \x1ditalic\x1d \x1funder\x1f \x16rev\x16 \x0fplain',
      message('PRIVMSG', [
        '#c',
        '\x02bold\x02 \x0304,01red\x03 \x1ditalic\x1d \x1funder\x1f \x16rev\x16 \x0fplain',
      ]),
    ],
    ['PRIVMSG #c :\x01ACTION waves\x01', message('PRIVMSG', ['#c', '\x01ACTION waves\x01'])],
    ['PRIVMSG #c :é 😀 中文', message('PRIVMSG', ['#c', 'é 😀 中文'])],
    // MODE is not special
    [
      ':SomeOp MODE #channel +oo SomeUser :AnotherUser',
      message('MODE', ['#channel', '+oo', 'SomeUser', 'AnotherUser'], { source: 'SomeOp' }),
    ],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseIrcLine(input), expected);
    });
  }

  // [input, code]
  const errors: [string, keyof typeof IRC_LINE_ERROR_CODES][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['@a=b', 'no_command'],
    ['@a=b ', 'no_command'],
    ['@a=b    ', 'no_command'],
    [':src', 'no_command'],
    [':src   ', 'no_command'],
    ['@a=b :src', 'no_command'],
    [': PRIVMSG #a :b', 'bad_source'],
    ['@ PING x', 'bad_tag'],
    ['@a=b; PING x', 'bad_tag'],
    ['@;a=b PING x', 'bad_tag'],
    ['@=b PING x', 'bad_tag'],
    ['@a_b=c PING x', 'bad_tag'],
    ['@__proto__=x PING x', 'bad_tag'],
    ['@+ PING x', 'bad_tag'],
    ['@vendor/ PING x', 'bad_tag'],
    ['@/a PING x', 'bad_tag'],
    ['PRIV-MSG #a b', 'bad_command'],
    ['12 x', 'bad_command'],
    ['1234 x', 'bad_command'],
    ['12a x', 'bad_command'],
    ['PRIVMSG1 x', 'bad_command'],
    [':src :PRIVMSG x', 'bad_command'],
    ['\ufeffNICK dan', 'bad_command'],
    ['PRIVMSG #a :b\0c', 'control_chars'],
    ['PRIVMSG #a :b\rc', 'control_chars'],
    ['PRIVMSG #a :b\nc', 'control_chars'],
    ['@a=\0 PING x', 'control_chars'],
    ['NICK dan\r', 'control_chars'],
    [`CMD ${Array.from({ length: 16 }, (_, i) => `p${i}`).join(' ')}`, 'too_many_params'],
    [`CMD ${Array.from({ length: 15 }, (_, i) => `p${i}`).join(' ')} :trailing`, 'too_many_params'],
  ];
  for (const [input, code] of errors) {
    it(`refuses ${JSON.stringify(input)} with ${code}`, () => {
      const result = parseIrcLine(input);
      assert.equal(result.kind, 'error');
      if (result.kind !== 'error') return;
      assert.equal(result.code, code);
      assert.ok(result.message.length > 0);
      assert.ok(!result.message.includes('\n'));
    });
  }

  it('parses 15 parameters, the last one trailing', () => {
    const params = Array.from({ length: 14 }, (_, i) => `p${i}`);
    assert.deepEqual(
      parseIrcLine(`CMD ${params.join(' ')} :last one`),
      message('CMD', [...params, 'last one']),
    );
    assert.deepEqual(
      parseIrcLine(`CMD ${params.join(' ')} p14`),
      message('CMD', [...params, 'p14']),
    );
  });

  describe('limits, in bytes', () => {
    // 'é' is 2 bytes, '😀' 4 and '中' 3: the counts are of UTF-8, not of characters.
    const body = (bytes: number, prefix = 'PRIVMSG #c :'): string => {
      const room = bytes - byteLength(prefix);
      return prefix + '😀'.repeat(Math.floor(room / 4)) + 'x'.repeat(room % 4);
    };

    it('passes a line of exactly 510 bytes (512 with CR LF) and refuses 511', () => {
      const exact = body(510);
      assert.equal(byteLength(exact), 510);
      assert.ok(exact.length < 510);
      assert.equal(codeOf(parseIrcLine(exact)), 'ok');
      assert.equal(codeOf(parseIrcLine(`${exact}x`)), 'too_long');
      assert.equal(codeOf(parseIrcLine(body(510, 'PRIVMSG #c :中'))), 'ok');
      assert.equal(codeOf(parseIrcLine(`${body(508)}é`)), 'ok');
      assert.equal(codeOf(parseIrcLine(`${body(509)}é`)), 'too_long');
    });

    it('counts the spaces after the tags in the 510, not in the tags', () => {
      const exact = body(510, '  PRIVMSG #c :');
      assert.equal(codeOf(parseIrcLine(`@a=b ${exact}`)), 'ok');
      assert.equal(codeOf(parseIrcLine(`@a=b ${exact}x`)), 'too_long');
    });

    /** A tags section of `bytes` bytes with '@' and the space, made of 3-byte characters where it can. */
    const tagsOf = (bytes: number): string => {
      const room = bytes - byteLength('@a= ');
      return `@a=${'中'.repeat(Math.floor(room / 3))}${'x'.repeat(room % 3)} `;
    };

    it('passes tags of exactly 8191 bytes with "@" and the space, and refuses 8192', () => {
      const tags = tagsOf(8191);
      assert.equal(byteLength(tags), 8191);
      const line = `${tags}${body(510)}`;
      assert.equal(codeOf(parseIrcLine(line)), 'ok');
      assert.equal(codeOf(parseIrcLine(`${tagsOf(8192)}PING x`)), 'tags_too_long');
      // With no space after it the section still counts one for it.
      assert.equal(codeOf(parseIrcLine(tagsOf(8192).trimEnd())), 'tags_too_long');
    });

    it('takes tighter limits, such as the 4096 bytes IRCv3 lets a client send', () => {
      const limits = { ...IRC_LIMITS, maxTagsBytes: 4096 };
      assert.equal(codeOf(parseIrcLine(`${tagsOf(4096)}PING x`, limits)), 'ok');
      assert.equal(codeOf(parseIrcLine(`${tagsOf(4097)}PING x`, limits)), 'tags_too_long');
      assert.equal(
        codeOf(parseIrcLine('CMD a b c', { ...IRC_LIMITS, maxParams: 2 })),
        'too_many_params',
      );
    });

    it('counts a lone surrogate as the 3 bytes of U+FFFD', () => {
      const exact = `${body(507)}\ud800`;
      assert.equal(codeOf(parseIrcLine(exact)), 'ok');
      assert.equal(codeOf(parseIrcLine(`${exact}x`)), 'too_long');
    });
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (line) => {
        const result = parseIrcLine(line);
        assert.ok(result.kind === 'message' || result.code in IRC_LINE_ERROR_CODES);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('serializeIrcLine', () => {
  const cases: [IrcMessage, string][] = [
    [{ command: 'PING', params: ['x'] }, 'PING x'],
    [{ command: 'QUIT', params: [] }, 'QUIT'],
    [{ command: 'PRIVMSG', params: ['#c', 'hi'] }, 'PRIVMSG #c hi'],
    [{ command: 'PRIVMSG', params: ['#c', 'hello there'] }, 'PRIVMSG #c :hello there'],
    [{ command: 'PRIVMSG', params: ['#c', ':-)'] }, 'PRIVMSG #c ::-)'],
    [{ command: 'CAP', params: ['*', 'LIST', ''] }, 'CAP * LIST :'],
    [{ command: 'PRIVMSG', params: ['#c', 'a:b'] }, 'PRIVMSG #c a:b'],
    [
      { command: 'PRIVMSG', params: ['#c', '\x01ACTION waves\x01'] },
      'PRIVMSG #c :\x01ACTION waves\x01',
    ],
    [{ command: 'PRIVMSG', params: ['#c', 'é😀'] }, 'PRIVMSG #c é😀'],
    [
      { source: 'irc.example.com', command: '001', params: ['dan', 'Welcome to chat'] },
      ':irc.example.com 001 dan :Welcome to chat',
    ],
    [{ tags: {}, command: 'PING', params: ['x'] }, 'PING x'],
    [
      {
        tags: { aaa: 'bbb', ccc: true, 'example.com/ddd': 'eee' },
        source: 'nick!ident@host.com',
        command: 'PRIVMSG',
        params: ['me', 'Hello'],
      },
      '@aaa=bbb;ccc;example.com/ddd=eee :nick!ident@host.com PRIVMSG me Hello',
    ],
    [
      {
        tags: { '+example': 'raw+:=,escaped; \\' },
        source: 'irc.example.com',
        command: 'NOTICE',
        params: ['#channel', 'Message'],
      },
      '@+example=raw+:=,escaped\\:\\s\\\\ :irc.example.com NOTICE #channel Message',
    ],
    [
      { tags: { a: '', b: 'x\r\ny' }, command: 'TAGMSG', params: ['#c'] },
      '@a=;b=x\\r\\ny TAGMSG #c',
    ],
  ];
  for (const [input, expected] of cases) {
    it(`serializes ${JSON.stringify(input)}`, () => {
      assert.equal(serializeIrcLine(input), expected);
      const parsed = parseIrcLine(expected);
      assert.equal(parsed.kind, 'message');
      if (parsed.kind !== 'message') return;
      assert.deepEqual(parsed.params, input.params);
      assert.deepEqual(parsed.tags, input.tags ?? {});
    });
  }

  const throws: [string, IrcMessage][] = [
    ['a middle param with a space', { command: 'PRIVMSG', params: ['#a b', 'x'] }],
    ['a middle param starting with ":"', { command: 'PRIVMSG', params: [':a', 'x'] }],
    ['an empty middle param', { command: 'PRIVMSG', params: ['', 'x'] }],
    ['a CR in a param', { command: 'PRIVMSG', params: ['#a', 'x\ry'] }],
    ['a LF in a param', { command: 'PRIVMSG', params: ['#a', 'x\ny'] }],
    ['a NUL in a param', { command: 'PRIVMSG', params: ['#a', 'x\0y'] }],
    ['an empty command', { command: '', params: [] }],
    ['a command of letters and digits', { command: 'A1', params: [] }],
    ['a 4-digit numeric', { command: '0001', params: [] }],
    ['a command with CR LF', { command: 'PING\r\nQUIT', params: [] }],
    ['an empty source', { source: '', command: 'PING', params: [] }],
    ['a source with a space', { source: 'a b', command: 'PING', params: [] }],
    ['a source with LF', { source: 'a\nb', command: 'PING', params: [] }],
    ['a bad tag key', { tags: { 'a b': 'x' }, command: 'PING', params: [] }],
    ['an empty tag key', { tags: { '': 'x' }, command: 'PING', params: [] }],
    ['a NUL in a tag value', { tags: { a: 'x\0' }, command: 'PING', params: [] }],
    ['16 params', { command: 'CMD', params: Array.from({ length: 16 }, () => 'p') }],
  ];
  for (const [name, input] of throws) {
    it(`throws on ${name}`, () => {
      assert.throws(() => serializeIrcLine(input), RangeError);
    });
  }

  describe('round trip (fast-check)', () => {
    const special = fc.constantFrom(
      ' ',
      ':',
      ';',
      '\\',
      '=',
      '@',
      '\t',
      '\x01',
      '\x02',
      '\x03',
      '\x0f',
      'é',
      '😀',
      '中',
    );
    const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
    const char = fc.oneof(special, anyChar).filter((c) => !/[\0\r\n]/.test(c));
    const word = fc
      .string({ unit: char, minLength: 1, maxLength: 12 })
      .filter((s) => !s.includes(' ') && !s.startsWith(':'));
    const text = fc.string({ unit: char, maxLength: 30 });
    const tagKey = fc
      .tuple(
        fc.boolean(),
        fc.option(fc.stringMatching(/^[a-z0-9.-]{1,8}$/), { nil: undefined }),
        fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/),
      )
      .map(([client, vendor, name]) => `${client ? '+' : ''}${vendor ? `${vendor}/` : ''}${name}`);
    const tagValue = fc.oneof(
      fc.constant<true>(true),
      fc
        .string({ unit: fc.oneof(special, anyChar, fc.constantFrom('\r', '\n')), maxLength: 20 })
        .filter((s) => !s.includes('\0')),
    );
    const ircMessage = fc.record(
      {
        tags: fc.dictionary(tagKey, tagValue, { maxKeys: 6, noNullPrototype: true }),
        source: word,
        command: fc.oneof(fc.stringMatching(/^[A-Z]{1,10}$/), fc.stringMatching(/^[0-9]{3}$/)),
        params: fc
          .tuple(fc.array(word, { maxLength: 14 }), fc.option(text, { nil: undefined }))
          .map(([middle, last]) => (last === undefined ? middle : [...middle, last])),
      },
      { requiredKeys: ['command', 'params'] },
    );

    it('parses what it serialized, or refuses it only for its size', () => {
      let checked = 0;
      fc.assert(
        fc.property(ircMessage, (input) => {
          const line = serializeIrcLine(input);
          const parsed = parseIrcLine(line);
          const hasTags = Object.keys(input.tags ?? {}).length > 0;
          const tagsBytes = hasTags ? byteLength(line.slice(0, line.indexOf(' ') + 1)) : 0;
          const bodyBytes = byteLength(line) - tagsBytes;
          if (tagsBytes > IRC_LIMITS.maxTagsBytes)
            return assert.equal(codeOf(parsed), 'tags_too_long');
          if (bodyBytes > IRC_LIMITS.maxBodyBytes) return assert.equal(codeOf(parsed), 'too_long');
          checked++;
          assert.deepEqual(
            parsed,
            message(input.command, input.params, { tags: input.tags ?? {}, source: input.source }),
          );
        }),
        { seed: SEED, numRuns: RUNS },
      );
      assert.ok(checked > RUNS / 2, `only ${checked} of ${RUNS} lines were within the limits`);
    });
  });
});

describe('ctcp', () => {
  const cases: [string, { command: string; params: string } | undefined][] = [
    ['\x01ACTION waves\x01', { command: 'ACTION', params: 'waves' }],
    ['\x01ACTION waves', { command: 'ACTION', params: 'waves' }],
    [
      '\x01ACTION writes the best specifications!\x01',
      { command: 'ACTION', params: 'writes the best specifications!' },
    ],
    ['\x01VERSION\x01', { command: 'VERSION', params: '' }],
    ['\x01VERSION', { command: 'VERSION', params: '' }],
    ['\x01PING 1473523796 918320\x01', { command: 'PING', params: '1473523796 918320' }],
    ['\x01action \x02bold\x02 move\x01', { command: 'ACTION', params: '\x02bold\x02 move' }],
    ['\x01ACTION \x01', { command: 'ACTION', params: '' }],
    ['hello', undefined],
    ['', undefined],
    ['\x01', undefined],
    ['\x01\x01', undefined],
    ['\x01 waves\x01', undefined],
    [' \x01ACTION waves\x01', undefined],
    ['\x01ACTION a\x01b\x01', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      assert.deepEqual(ctcp(input), expected);
    });
  }
});

describe('IrcLineDecoder', () => {
  const lines = (...texts: string[]): IrcDecodeEvent[] => texts.map((line) => ({ line }));
  const codes = (events: IrcDecodeEvent[]): string[] =>
    events.map((e) => ('line' in e ? `line:${e.line}` : e.error.code));
  const feed = (decoder: IrcLineDecoder, chunks: Uint8Array[]): IrcDecodeEvent[] =>
    chunks.flatMap((chunk) => decoder.push(chunk));

  /** Every way to cut `input` in two, then a sample of ways to cut it in three. */
  function* splits(input: Uint8Array): Generator<[string, Uint8Array[]]> {
    for (let cut = 0; cut <= input.length; cut++) {
      yield [`split at ${cut}`, [input.subarray(0, cut), input.subarray(cut)]];
    }
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b += 7) {
        yield [
          `split at ${a}/${b}`,
          [input.subarray(0, a), input.subarray(a, b), input.subarray(b)],
        ];
      }
    }
    yield ['1-byte chunks', Array.from(input, (byte) => Uint8Array.of(byte))];
  }

  const texts = [
    '@+draft/reply=a\\sb;msgid=1 :dan!d@h PRIVMSG #c :café 😀',
    'PRIVMSG #c :中文字符 テスト',
    'NICK dan',
    '€𝄞é',
  ];
  const stream = bytes(`${texts[0]}\r\n${texts[1]}\n\r\n\n${texts[2]}\r\n${texts[3]}\n`);

  it('decodes CR LF and bare LF lines, skipping empty ones, whatever the split', () => {
    assert.deepEqual(new IrcLineDecoder().push(stream), lines(...texts));
    for (const [name, chunks] of splits(stream)) {
      const decoder = new IrcLineDecoder();
      assert.deepEqual(feed(decoder, chunks), lines(...texts), name);
      assert.equal(decoder.bufferedBytes, 0, name);
    }
  });

  it('keeps a lone CR inside a line, for parseIrcLine to refuse', () => {
    const events = new IrcLineDecoder().push(bytes('a\rb\r\n\r\r\n'));
    assert.deepEqual(events, lines('a\rb', '\r'));
    assert.equal(codeOf(parseIrcLine('a\rb')), 'control_chars');
  });

  it('keeps a partial line until its LF, and copies what it keeps', () => {
    const decoder = new IrcLineDecoder();
    const chunk = bytes('NICK d', [0xc3]);
    assert.deepEqual(decoder.push(chunk), []);
    chunk.fill(0x78);
    assert.equal(decoder.bufferedBytes, 7);
    assert.deepEqual(decoder.push(bytes([0xa9], '\r\nPING')), lines('NICK dé'));
    assert.equal(decoder.bufferedBytes, 4);
  });

  it('refuses a line of bad UTF-8 and goes on with the next, whatever the split', () => {
    const input = bytes(
      'NICK a\r\n',
      'PRIVMSG #c :',
      [0xc3, 0x28],
      '\r\n',
      [0xff],
      '\nPRIVMSG #c :ok 😀\r\n',
    );
    const expected = ['line:NICK a', 'bad_utf8', 'bad_utf8', 'line:PRIVMSG #c :ok 😀'];
    for (const [name, chunks] of splits(input)) {
      assert.deepEqual(codes(feed(new IrcLineDecoder(), chunks)), expected, name);
    }
  });

  it('refuses a sequence cut short by the CR LF', () => {
    assert.deepEqual(codes(new IrcLineDecoder().push(bytes('a', [0xe2, 0x82], '\r\nb\n'))), [
      'bad_utf8',
      'line:b',
    ]);
  });

  describe('line length limit', () => {
    const max = 16;

    it('passes a line of exactly maxLineBytes with CR LF or LF, and refuses one more', () => {
      const fifteen = `${'é'.repeat(7)}x`;
      assert.deepEqual(new IrcLineDecoder(max).push(bytes(fifteen, '\n')), lines(fifteen));
      assert.deepEqual(
        new IrcLineDecoder(max).push(bytes(fifteen.slice(0, -1), '\r\n')),
        lines(fifteen.slice(0, -1)),
      );
      assert.deepEqual(codes(new IrcLineDecoder(max).push(bytes(fifteen, '\r\n'))), ['too_long']);
      assert.deepEqual(codes(new IrcLineDecoder(max).push(bytes(fifteen, 'x\n'))), ['too_long']);
    });

    it('refuses a long line once, skips it to its LF and decodes on, whatever the split', () => {
      const input = bytes(
        'ok\r\n',
        'é'.repeat(20),
        '\r\n',
        'x'.repeat(40),
        '\nnext 😀\r\n',
        'y'.repeat(15),
        '\n',
      );
      const expected = [
        'line:ok',
        'too_long',
        'too_long',
        'line:next 😀',
        `line:${'y'.repeat(15)}`,
      ];
      for (const [name, chunks] of splits(input)) {
        const decoder = new IrcLineDecoder(max);
        assert.deepEqual(codes(feed(decoder, chunks)), expected, name);
        assert.equal(decoder.bufferedBytes, 0, name);
      }
    });

    it('reports as soon as the limit is passed, before any LF arrives', () => {
      const decoder = new IrcLineDecoder(max);
      for (let i = 0; i < max - 1; i++) assert.deepEqual(decoder.push(bytes('x')), []);
      assert.equal(decoder.bufferedBytes, max - 1);
      assert.deepEqual(codes(decoder.push(bytes('x'))), ['too_long']);
      assert.equal(decoder.bufferedBytes, 0);
      assert.deepEqual(decoder.push(bytes('x'.repeat(100))), []);
      assert.deepEqual(codes(decoder.push(bytes('xx\nPING a\n'))), ['line:PING a']);
    });

    it('holds at most maxLineBytes for 10 MiB without a LF, then goes on', () => {
      const decoder = new IrcLineDecoder();
      const chunk = new Uint8Array(64 * 1024).fill(0x61);
      const events: IrcDecodeEvent[] = [];
      for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
        events.push(...decoder.push(chunk));
        assert.ok(decoder.bufferedBytes < IRC_MAX_LINE_BYTES);
      }
      events.push(...decoder.push(bytes('\r\nPING x\r\n')));
      assert.deepEqual(codes(events), ['too_long', 'line:PING x']);
    });

    it('by default passes the longest valid IRC line, 8191 + 512 bytes, and no more', () => {
      assert.equal(IRC_MAX_LINE_BYTES, 8703);
      const tags = `@a=${'中'.repeat(2729)} `;
      const body = `PRIVMSG #c :${'😀'.repeat(124)}xx`;
      assert.equal(byteLength(tags), 8191);
      assert.equal(byteLength(body), 510);
      const line = tags + body;
      const input = bytes(line, '\r\n', line, 'y\r\n', line, 'y\n', 'PING x\n');
      const decoded = new IrcLineDecoder().push(input);
      assert.deepEqual(
        codes(decoded).map((c) => c.slice(0, 5)),
        ['line:', 'too_l', 'line:', 'line:'],
      );
      const [first, , third] = decoded;
      assert.ok(first && 'line' in first && third && 'line' in third);
      assert.equal(codeOf(parseIrcLine(first.line)), 'ok');
      // 8703 bytes with a bare LF: the decoder lets it through, the parser counts the body.
      assert.equal(codeOf(parseIrcLine(third.line)), 'too_long');
      // Cut in 1000-byte chunks, edges inside multi-byte characters.
      const chunked = new IrcLineDecoder();
      const events: IrcDecodeEvent[] = [];
      for (let i = 0; i < input.length; i += 1000)
        events.push(...chunked.push(input.subarray(i, i + 1000)));
      assert.deepEqual(events, decoded);
    });
  });

  it('refuses a maxLineBytes below 2 or not an integer', () => {
    for (const bad of [1, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new IrcLineDecoder(bad), RangeError);
    }
  });
});
