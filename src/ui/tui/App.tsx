import { useApp, useStdout } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ChatClient } from '../../net/chat-client.ts';
import type { DmKeyring } from '../../net/e2ee/dm-keyring.ts';
import { revealWith } from '../../net/e2ee/open-frames.ts';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { helpScroll } from '../components/HelpOverlay.tsx';
import { InputBox } from '../components/InputBox.tsx';
import { paneLineRows } from '../components/message-rows.ts';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { SearchOverlay } from '../components/SearchOverlay.tsx';
import { useChatClient } from '../hooks/use-chat-client.ts';
import { useHistoryFill } from '../hooks/use-history-fill.ts';
import { type IgnoreSource, useIgnore } from '../hooks/use-ignore.ts';
import { useInputKeys } from '../hooks/use-input-keys.ts';
import { useJump } from '../hooks/use-jump.ts';
import { useKeyNews } from '../hooks/use-key-news.ts';
import { useMarkRead } from '../hooks/use-mark-read.ts';
import { useNotifications } from '../hooks/use-notifications.ts';
import { usePasswordLogin } from '../hooks/use-password-login.ts';
import { usePeerTrust } from '../hooks/use-peer-trust.ts';
import { useSearch } from '../hooks/use-search.ts';
import { type SettingsSource, useSettings } from '../hooks/use-settings.ts';
import { useTerminalCursor } from '../hooks/use-terminal-cursor.ts';
import { useTerminalFocus, useTerminalFocusStore } from '../hooks/use-terminal-focus.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';
import { COMMANDS } from '../input/command-parser.ts';
import type { EditTarget } from '../input/input-keys.ts';
import type { InputCommand } from '../input/keymap.ts';
import { DEFAULT_SETTINGS, SETTING_NAMES, SETTINGS } from '../settings/tui-settings.ts';
import { isIgnored } from '../state/chat-ignore.ts';
import {
  completionCandidates,
  currentConversation,
  type Line,
  lastOwnMessage,
} from '../state/chat-state.ts';
import { newSinceLine, olderPage, summaryJump } from '../state/read-selectors.ts';
import { ChatScreen, screenLayout } from './ChatScreen.tsx';
import { editMessage } from './irc-commands.ts';
import type { PasswordPrompter } from './password-prompter.ts';
import { runSet } from './set-command.ts';
import { type CommandHandlers, useCommands } from './use-commands.ts';
import { useHelpKeys } from './use-help-keys.ts';
import { useScreenKeys } from './use-screen-keys.ts';
import { useScreenMouse } from './use-screen-mouse.ts';
import { useSummaryKeys } from './use-summary-keys.ts';

/** How long a notice stays above the input, in ms. */
const NOTICE_MS = 10_000;
/** What Tab offers after `/set` and after each setting's name. */
const SETTING_CHOICES = Object.fromEntries(
  SETTING_NAMES.map((name) => [name, SETTINGS[name].values]),
);
const SESSION_DEFAULTS: SettingsSource = { saved: DEFAULT_SETTINGS };
/** The input line's keys the help scrolls with while it shows. */
const HELP_TAKES: ReadonlySet<InputCommand> = new Set<InputCommand>(['historyUp', 'historyDown']);
/** No one ignored, for this session. */
const NO_IGNORE: IgnoreSource = { saved: [] };

/** Props of the TUI's root. */
export interface AppProps {
  client: ChatClient;
  /** `host:port`, for the status bar. */
  server: string;
  /** The settings (/set): as kept in the profile, with the command line's overrides; default: the defaults, for this session. */
  settings?: SettingsSource | undefined;
  /** The /ignore list as kept in the profile; default: none, for this session. */
  ignore?: IgnoreSource | undefined;
  /** Inside tmux ($TMUX): desktop notifications go through its passthrough. */
  tmux?: boolean | undefined;
  /** What first-run did (certificates made, a server started), said atop the first room. */
  notices: readonly string[];
  /**
   * Seals direct messages end to end and opens those that arrive; absent:
   * DMs go as text (tests of other things), and sealed ones show as not verified.
   */
  keyring?: DmKeyring | undefined;
  /** The client's `password` option asks through this: the input row then asks for it, masked. */
  passwords?: PasswordPrompter | undefined;
  /**
   * Newest messages a room just joined (or a DM with unread messages after
   * a reconnect) is filled with; default the `backlog` setting. Give the
   * client's `backlog` option the same number: it fills the first connection.
   */
  backlog?: number | undefined;
  /**
   * Whether the terminal has focus; default: what its focus reports say
   * (`useTerminalFocus`: an unknown focus counts as focused). Read
   * positions move, and desktop notifications wait, only while focused.
   */
  focused?: boolean | undefined;
}

/**
 * The TUI: state from the client, the screen, the input line, and the keys
 * that belong to the whole app rather than to the input.
 */
export function App({
  client,
  server,
  settings: source,
  ignore: ignoreSource,
  tmux,
  notices,
  passwords,
  backlog,
  focused: focusedProp,
  keyring,
}: AppProps) {
  const { exit } = useApp();
  const { stdout, write } = useStdout();
  const { columns, rows } = useTerminalSize();
  const settings = useSettings(source ?? SESSION_DEFAULTS);
  // The bell is rung by useNotifications, which follows /set bell; the reducer's stays off.
  const reveal = useMemo(() => (keyring ? revealWith(keyring) : undefined), [keyring]);
  const [state, dispatch] = useChatClient(client, { server, bell: false, intro: notices, reveal });
  // Join, part and quit lines follow `/set presence` from the next one on.
  const presence = settings.current.presence;
  useEffect(() => {
    dispatch({ type: 'presenceMode', mode: presence });
  }, [presence, dispatch]);
  const [now, setNow] = useState(Date.now);
  const clock = settings.current.timestamps;
  const focus = useTerminalFocusStore();
  const terminalFocused = useTerminalFocus();
  const focused = focusedProp ?? terminalFocused;
  useNotifications(client, {
    user: state.connection.user,
    bell: settings.current.bell,
    notify: settings.current.notify,
    focused: () => focusedProp ?? focus.focused(),
    tmux: tmux === true,
    write: (bytes) => stdout.write(bytes),
    ignored: (user) => isIgnored(state, user),
  });
  // The overlay picks a result before the jump (which needs the history's reach) exists.
  const pick = useRef<(message: StoredMessage) => void>(() => {});
  const search = useSearch(client, (message) => pick.current(message));
  const searching = search.view.status !== 'closed';
  // The help is on top unless the search covers it: then its keys wait.
  const helpShows = state.overlay === 'help' && !searching;
  const ignore = useIgnore(ignoreSource ?? NO_IGNORE, dispatch);
  const settingsNow = useRef(settings);
  settingsNow.current = settings;
  // `/edit` puts a message into the input line, which is made below.
  const startEdit = useRef<(target: EditTarget) => void>(() => {});
  const handlers = useMemo<CommandHandlers>(
    () => ({
      set: (request, notice) => runSet(request, settingsNow.current, notice),
      search: search.open,
      ignore,
      startEdit: (target) => startEdit.current(target),
    }),
    [search.open, ignore],
  );
  const run = useCommands(client, state, dispatch, exit, handlers, keyring);
  const asking = usePasswordLogin(client, passwords, dispatch);
  const candidates = {
    ...completionCandidates(state),
    commands: COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]),
    settings: SETTING_CHOICES,
  };
  // The away summary and the search overlay take the keys they name until closed.
  const notice = (text: string) => dispatch({ type: 'notice', text });
  const input = useInputKeys({
    candidates,
    onSubmit: run,
    lastOwn: () => {
      const last = lastOwnMessage(state, state.current);
      return last && { conversation: last.conversation, id: last.id, original: last.text };
    },
    onEdit: (target, text) => editMessage(target, text, { client, state, dispatch, notice }),
    focus: asking === undefined && state.summary === undefined && !searching,
    ...(helpShows ? { taken: HELP_TAKES } : {}),
  });
  startEdit.current = input.startEdit;
  const history = useHistoryFill(client, state, dispatch, backlog ?? settings.current.backlog);
  useMarkRead(client, state, dispatch, focused);
  const { jump, flashId } = useJump({
    state,
    dispatch,
    reach: history.reach,
    notice: (text) => dispatch({ type: 'notice', text }),
  });
  pick.current = jump;

  useEffect(() => {
    client.connect().catch(() => {
      // Shown through the client's state events, with the fix.
    });
    return () => {
      void client.close();
    };
  }, [client]);

  // A clock only while a countdown is on screen: an idle client wakes for nothing.
  const reconnecting = state.connection.state === 'reconnecting';
  useEffect(() => {
    if (!reconnecting) return;
    setNow(Date.now()); // the countdown starts from now, not from the last tick
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [reconnecting]);

  // A notice is a passing hint: it goes after a while, and the older ones with it.
  const newestNotice = state.notices.at(-1)?.id;
  useEffect(() => {
    if (newestNotice === undefined) return;
    const timer = setTimeout(
      () => dispatch({ type: 'dismissNotice', id: newestNotice }),
      NOTICE_MS,
    );
    return () => clearTimeout(timer);
  }, [newestNotice, dispatch]);

  const dmTrust = usePeerTrust(keyring, state);
  useKeyNews(keyring, state.connection.user, dispatch);

  // PageUp/PageDown move a pane's height less one row, measured as the pane draws lines.
  const pane = screenLayout(columns, rows, state.overlay === 'help' || searching);
  const page = Math.max(1, pane.middle - 1);
  // The input is the screen's last row: the terminal's cursor goes there when it has one.
  const inputRow = useTerminalCursor() ? pane.height - 1 : undefined;
  const scroll = (by: number) => {
    const marked = newSinceLine(currentConversation(state), state.newSince);
    const rowsOf = (line: Line) =>
      paneLineRows(line, pane.paneWidth, state.timeZone, marked, clock).length;
    // PageUp where the pane cannot go further up loads the page above.
    const older = olderPage(state, by, { rowsOf, height: pane.middle });
    if (older !== undefined) history.older(older);
    dispatch({ type: 'scroll', by, rowsOf, height: pane.middle });
  };
  useSummaryKeys(state.summary !== undefined, () => {
    const target = summaryJump(state.summary);
    if (target?.id === undefined) {
      if (target !== undefined) dispatch({ type: 'switchTo', name: target.name });
      dispatch({ type: 'dismissSummary' });
      return;
    }
    dispatch({ type: 'jumpToMessage', name: target.name, id: target.id });
    history.reach(target.name, target.id);
  });
  const helpWindow = () => helpScroll(pane.paneWidth, pane.middle, state.helpTop ?? 0);
  useHelpKeys(helpShows, helpWindow, (by, maxTop) => dispatch({ type: 'scrollHelp', by, maxTop }));
  const paneCovered = searching || state.summary !== undefined;
  useScreenMouse({
    on: settings.current.mouse,
    layout: pane,
    state,
    dispatch,
    scroll,
    scrollHelp: (by) => dispatch({ type: 'scrollHelp', by, maxTop: helpWindow().maxTop }),
    paneCovered,
    helpShows,
  });
  useScreenKeys({
    dispatch,
    scroll,
    paneCovered,
    helpShows,
    page,
    draft: input.draft,
    clearDraft: () => input.setValue(''),
    quit: exit,
    redraw: () => {
      // Ink's write() clears its frame, writes, then draws the frame again.
      write('\u001b[2J\u001b[H');
      setNow(Date.now());
    },
  });

  // Editing shows in the prompt: Enter edits that message, Esc cancels.
  const prompt = input.editing
    ? `[edit ${input.editing.conversation}] `
    : `[${state.current ?? '…'}] `;
  return (
    <ChatScreen
      state={state}
      dmTrust={dmTrust}
      columns={columns}
      rows={rows}
      now={now}
      clock={clock}
      flashId={flashId}
      overlay={
        searching
          ? (width, height) => (
              <SearchOverlay
                view={search.view}
                me={state.connection.user}
                width={width}
                height={height}
                timeZone={state.timeZone}
                clock={clock}
              />
            )
          : undefined
      }
      input={
        asking ? (
          <PasswordInput
            prompt={`password for ${asking.user}@${asking.host}: `}
            width={columns}
            cursorRow={inputRow}
            onSubmit={(password) => passwords?.answer(password)}
          />
        ) : (
          <InputBox
            prompt={prompt}
            width={columns}
            value={input.value}
            cursor={input.cursor}
            focus={true}
            cursorRow={inputRow}
          />
        )
      }
    />
  );
}
