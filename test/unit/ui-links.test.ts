import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import { keepWholeLinks, linkedParts } from '../../src/ui/components/link-spans.ts';
import { linksNewestFirst, visibleRows } from '../../src/ui/components/message-rows.ts';
import { fitSpans, type RowSpans } from '../../src/ui/components/spans.ts';
import type { Line, MessageLine } from '../../src/ui/state/chat-types.ts';
import { findLinks, hyperlink, isLinkable } from '../../src/ui/text/links.ts';
import { wrapText } from '../../src/ui/text/wrap.ts';

const WIKI = 'https://en.wikipedia.org/wiki/Foo_(bar)';

describe('findLinks', () => {
  // Text, then the URLs found in it, in order.
  const cases: Array<[string, string[]]> = [
    ['https://example.com', ['https://example.com']],
    ['see https://example.com/a?b=1&c=2#top now', ['https://example.com/a?b=1&c=2#top']],
    ['http://example.com/x at the start', ['http://example.com/x']],
    ['at the end http://example.com/x', ['http://example.com/x']],
    ['HTTPS://EXAMPLE.COM/Path', ['HTTPS://EXAMPLE.COM/Path']],
    [
      'two: https://a.example and https://b.example/x.',
      ['https://a.example', 'https://b.example/x'],
    ],
    ['lines\nhttps://a.example\nhttps://b.example', ['https://a.example', 'https://b.example']],
    // Trailing punctuation belongs to the sentence.
    ['go to https://example.com.', ['https://example.com']],
    ['https://example.com, then', ['https://example.com']],
    ['https://example.com/?!', ['https://example.com/']],
    ['is it https://example.com?', ['https://example.com']],
    ["'https://example.com'", ['https://example.com']],
    ['"https://example.com"', ['https://example.com']],
    ['<https://example.com>', ['https://example.com']],
    ['`https://example.com`', ['https://example.com']],
    ['*https://example.com*', ['https://example.com']],
    ['https://example.com/a;', ['https://example.com/a']],
    ['https://example.com:', ['https://example.com']],
    ['https://example.com/a...', ['https://example.com/a']],
    // Parentheses and brackets: kept when they balance inside the URL.
    ['(see https://example.com/a)', ['https://example.com/a']],
    ['(https://example.com/a).', ['https://example.com/a']],
    [WIKI, [WIKI]],
    [`(${WIKI})`, [WIKI]],
    [`${WIKI}.`, [WIKI]],
    ['https://example.com/a_(b)_(c)', ['https://example.com/a_(b)_(c)']],
    ['[https://example.com/x]', ['https://example.com/x']],
    ['https://[::1]:8080/x', ['https://[::1]:8080/x']],
    ['https://example.com/a(b', ['https://example.com/a(b']],
    // Non-ASCII anywhere makes the whole run plain text, never a shorter link.
    ['https://exämple.com', []],
    ['https://example.com/päth', []],
    ['https://еxample.com', []], // a Cyrillic е
    ['https://example.com\u2024evil.com', []], // one dot leader, not a full stop
    ['https://example.com/日本', []],
    ['https://xn--exmple-cua.com', ['https://xn--exmple-cua.com']], // punycode shows what it is
    // …but non-ASCII punctuation after a URL is the sentence's.
    ['«https://example.com»', ['https://example.com']],
    ['see https://example.com…', ['https://example.com']],
    ['“https://example.com”', ['https://example.com']],
    ['https://example.com。', ['https://example.com']],
    // Characters no URL holds make it plain text.
    ['https://example.com/a\\b', []],
    ['https://example.com/{x}', []],
    ['https://example.com/a|b', []],
    ['https://example.com/a^b', []],
    // Other schemes and things that only look like a start.
    ['javascript:alert(1)', []],
    ['file:///etc/passwd', []],
    ['ftp://example.com', []],
    ['mailto:bob@example.com', []],
    ['www.example.com', []],
    ['xhttps://example.com', []],
    ['ahttp://example.com https://b.example', ['https://b.example']],
    ['https://', []],
    ['https://.', []],
    ['https:///path', []],
    ['https://?q', []],
    ['http:example.com', []],
    // A user name before the host hides where the link goes.
    ['https://bank.example@evil.example/login', []],
    ['https://bank.example/@bob', ['https://bank.example/@bob']],
    // Sanitized escapes stay visible symbols and end nothing: still one run, refused.
    ['https://example.com/\u241b]8;;x', []],
    ['', []],
    ['no links here', []],
  ];
  for (const [text, urls] of cases) {
    it(JSON.stringify(text), () => {
      const found = findLinks(text);
      assert.deepEqual(
        found.map((link) => link.url),
        urls,
      );
      for (const link of found) assert.equal(text.slice(link.start, link.end), link.url);
    });
  }

  it('stays linear on long runs of closing parentheses', () => {
    const text = `https://example.com/${')'.repeat(200_000)}`;
    const started = performance.now();
    assert.deepEqual(
      findLinks(text).map((link) => link.url),
      ['https://example.com/'],
    );
    assert.ok(performance.now() - started < 1_000);
  });
});

describe('hyperlink', () => {
  it('wraps the text in OSC 8, which takes no column', () => {
    const drawn = hyperlink('https://example.com', 'https://exa');
    assert.equal(drawn, '\u001b]8;;https://example.com\u0007https://exa\u001b]8;;\u0007');
    assert.equal(stringWidth(drawn), 'https://exa'.length);
    assert.equal(stripAnsi(drawn), 'https://exa');
  });

  it('takes no column with any character a URL may hold', () => {
    const drawn = hyperlink(`${WIKI}?a=[1]&b=*+!$',;@~%41`, 'x');
    assert.equal(stringWidth(drawn), 1);
  });

  it('refuses a target it would not find', () => {
    for (const url of ['javascript:alert(1)', 'https://exämple.com', 'https://a.example\u0007']) {
      assert.equal(isLinkable(url), false, url);
      assert.equal(hyperlink(url, 'text'), 'text');
    }
  });
});

describe('linkedParts', () => {
  const linksOf = (rows: RowSpans[]) =>
    rows.map((row) => row.map((span) => (span.link ? `[${span.text}]` : span.text)).join(''));

  it('marks a link on the row it is on, the text around it plain', () => {
    const text = 'see https://example.com/a now';
    const rows = linkedParts(text, wrapText(text, 80), { dim: true });
    assert.deepEqual(linksOf(rows), ['see [https://example.com/a] now']);
    assert.ok(rows.flat().every((span) => span.dim));
    assert.equal(rows[0]?.[1]?.link, 'https://example.com/a');
  });

  it('links each row of a wrapped URL to the whole URL', () => {
    const url = 'https://example.com/a/long/path/to/somewhere';
    const text = `look: ${url} ok`;
    const rows = linkedParts(text, wrapText(text, 16), {});
    assert.deepEqual(linksOf(rows), [
      'look: [https://ex]',
      '[ample.com/a/long]',
      '[/path/to/somewhe]',
      '[re] ok',
    ]);
    const targets = rows.flat().flatMap((span) => (span.link ? [span.link] : []));
    assert.deepEqual(targets, [url, url, url, url]);
  });

  it('finds the rows of text with indentation, line breaks and several links', () => {
    const text = '  https://a.example x\n\nhttps://b.example/(c)) y  https://c.example';
    const rows = linkedParts(text, wrapText(text, 20), {});
    assert.deepEqual(linksOf(rows), [
      '  [https://a.example]',
      'x',
      '',
      '[https://b.example/(c]',
      '[)]) y',
      '[https://c.example]',
    ]);
  });

  it('leaves rows it cannot match to the text plain', () => {
    // At width 1 a wide character shows as '…': the rows no longer spell the text.
    const text = '語 https://a.example';
    const rows = linkedParts(text, wrapText(text, 1), {});
    assert.equal(
      rows.flat().some((span) => span.link !== undefined),
      false,
    );
    assert.deepEqual(rows.length, wrapText(text, 1).length);
  });
});

describe('cut links', () => {
  const url = 'https://example.com/abc';

  it('fitSpans drops the link of a span it cuts', () => {
    const spans = [{ text: '<bob> ' }, { text: url, link: url }];
    assert.equal(fitSpans(spans, 40).at(-1)?.link, url);
    const cut = fitSpans(spans, 20);
    assert.equal(cut.at(-1)?.text, 'https://examp…');
    assert.equal(cut.at(-1)?.link, undefined);
  });

  it('keepWholeLinks unlinks only the links with a part cut off', () => {
    const other = 'https://other.example';
    const kept: RowSpans[] = [
      [{ text: 'om/abc', link: url }, { text: ' and ' }, { text: other, link: other }],
    ];
    const dropped: RowSpans[] = [[{ text: 'https://example.c', link: url }]];
    assert.deepEqual(keepWholeLinks(kept, dropped), [
      [{ text: 'om/abc' }, { text: ' and ' }, { text: other, link: other }],
    ]);
    assert.deepEqual(keepWholeLinks(kept, [[{ text: 'plain' }]]), kept);
  });
});

function message(id: number, text: string, extra: Partial<MessageLine> = {}): MessageLine {
  const base = { kind: 'message', id, ts: id, from: 'bob', text, action: false } as const;
  return { ...base, mention: false, own: false, ...extra };
}

describe('the links of a conversation', () => {
  it('counts from the newest: the last link of the newest message is 1', () => {
    const lines: Line[] = [
      message(1, 'https://a.example/1 https://a.example/2'),
      { kind: 'system', ts: 2, text: 'https://system.example joined' },
      message(3, 'nothing here, nor in https://exämple.com'),
      message(4, 'https://gone.example', { deleted: {} }),
      message(5, '', { unverified: 'not signed' }),
      message(6, 'https://b.example (edited later)', { edited: 7 }),
    ];
    assert.deepEqual(linksNewestFirst(lines), [
      'https://b.example',
      'https://a.example/2',
      'https://a.example/1',
    ]);
    assert.deepEqual(linksNewestFirst([]), []);
  });

  it('a message scrolled partly below the pane keeps only its whole links', () => {
    const url = 'https://example.com/a/rather/long/path/that/wraps';
    const rows = (hiddenRows: number) =>
      visibleRows({
        lines: [message(1, `${url} https://short.example`)],
        pending: [],
        scroll: { offset: 0, hiddenRows, newWhileScrolled: 0 },
        width: 30,
        height: 8,
        timeZone: 'UTC',
      });
    const targets = (shown: RowSpans[]) =>
      new Set(shown.flat().flatMap((span) => (span.link ? [span.link] : [])));
    assert.deepEqual(targets(rows(0)), new Set([url, 'https://short.example']));
    // The last row (the short link) is hidden: the long URL is still whole on screen.
    assert.deepEqual(targets(rows(1)), new Set([url]));
    assert.deepEqual(targets(rows(2)), new Set());
  });
});
