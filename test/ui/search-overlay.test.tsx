import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { ChatError } from '../../src/errors.ts';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { SearchOverlay } from '../../src/ui/components/SearchOverlay.tsx';
import { type SearchControl, useSearch } from '../../src/ui/hooks/use-search.ts';
import type { Searcher } from '../../src/ui/search/searcher.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

const KEY = { up: '\u001b[A', down: '\u001b[B', enter: '\r', esc: '\u001b' } as const;
const _FOCUS_IN = '\u001b[I';
const _FOCUS_OUT = '\u001b[O';
const T0 = Date.UTC(2026, 11, 6, 9, 5);

const RESULTS: StoredMessage[] = [
  { type: 'msg', room: '#ops', id: 7, ts: T0 + 2, from: 'bob', text: 'deploy at noon' },
  { type: 'dm', id: 4, ts: T0 + 1, from: 'bob', to: 'alice', text: 'deploy key?' },
  { type: 'msg', room: '#dev', id: 2, ts: T0, from: 'carol', text: 'Deploy failed' },
];

afterEach(() => cleanup());

async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  }
}

function SearchHarness(props: {
  searcher: Searcher;
  picked: StoredMessage[];
  control: { current?: SearchControl };
}) {
  const search = useSearch(props.searcher, (message) => props.picked.push(message));
  props.control.current = search;
  if (search.view.status === 'closed') return <Text>closed</Text>;
  return <SearchOverlay view={search.view} me="alice" width={70} height={10} timeZone="UTC" />;
}

function fakeSearcher(answer: () => Promise<{ messages: StoredMessage[]; more: boolean }>) {
  const asked: Array<[string, unknown]> = [];
  const searcher: Searcher = {
    search: (text, opts) => {
      asked.push([text, opts]);
      return answer();
    },
  };
  return { searcher, asked };
}

describe('the /search overlay', () => {
  it('lists the results newest first, moves with Up/Down, Enter picks one and closes', async () => {
    const { searcher, asked } = fakeSearcher(async () => ({ messages: RESULTS, more: false }));
    const picked: StoredMessage[] = [];
    const control: { current?: SearchControl } = {};
    const app = render(<SearchHarness searcher={searcher} picked={picked} control={control} />);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    control.current?.open({ text: 'deploy', room: '#ops' });
    await until(() => frame().includes('3 results'), 'the results');
    // Keys are read only while the overlay is open.
    await inputReady(app.stdin);
    assert.deepEqual(asked, [['deploy', { room: '#ops' }]]);
    const lines = frame().split('\n');
    const at = (needle: string) => lines.findIndex((line) => line.includes(needle));
    assert.ok(at('deploy at noon') < at('deploy key?') && at('deploy key?') < at('Deploy failed'));
    assert.match(frame(), /#ops +12-06 09:05 <bob> deploy at noon/);
    assert.match(frame(), /@bob +12-06 09:05 <bob> deploy key\?/);
    app.stdin.write(KEY.down);
    await settle();
    app.stdin.write(KEY.down);
    await settle();
    app.stdin.write(KEY.up);
    await settle();
    app.stdin.write(KEY.enter);
    await until(() => frame().includes('closed'), 'the overlay to close');
    assert.deepEqual(
      picked.map((m) => m.id),
      [4],
    );
  });

  it('says a refusal in one line, and Esc closes', async () => {
    const { searcher } = fakeSearcher(() =>
      Promise.reject(
        new ChatError('SERVER_ERROR', 'you are not in #secret', { hint: 'not_member' }),
      ),
    );
    const control: { current?: SearchControl } = {};
    const app = render(<SearchHarness searcher={searcher} picked={[]} control={control} />);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    control.current?.open({ text: 'plans', room: '#secret' });
    await until(() => frame().includes('search: you are not in #secret'), 'the error');
    await inputReady(app.stdin);
    app.stdin.write(KEY.esc);
    await until(() => frame().includes('closed'), 'the overlay to close');
  });
});
