import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useEffect, useRef, useState } from 'react';
import { usePasteGate } from '../hooks/use-input-keys.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { truncate } from '../text/wrap.ts';

/** Columns kept for the stars when the prompt is long (the prompt is cut first). */
const MIN_FIELD = 10;

/** Props of {@link PasswordInput}. */
export type PasswordInputProps = {
  /** Shown before the stars, e.g. `'password for alice@localhost: '`. */
  prompt: string;
  /** Columns for the prompt and the stars together. */
  width: number;
  /** Enter on a non-empty password. */
  onSubmit: (password: string) => void;
};

/**
 * The input row while the server waits for a password: the prompt, then a
 * `*` per character typed, never the characters. Backspace edits, Ctrl+U
 * clears, a paste (a password manager's) goes in without its line breaks.
 */
export function PasswordInput({ prompt, width, onSubmit }: PasswordInputProps) {
  const columns = Math.max(1, Math.floor(width));
  const shownPrompt = truncate(neutralizeLine(prompt), Math.max(0, columns - MIN_FIELD));
  const [value, setValue] = useState('');
  // Keys can arrive faster than renders: the newest value, rendered or not.
  const latest = useRef('');
  const set = (next: string) => {
    latest.current = next;
    setValue(next);
  };
  const paste = usePasteGate();
  useEffect(
    () =>
      paste.setTarget((text) => {
        latest.current += text.replace(/[\r\n]/g, '');
        setValue(latest.current);
      }),
    [paste],
  );
  useInput((input, key) => {
    if (key.ctrl && input === 'u' && !paste.consumed()) set('');
  });
  const submit = () => {
    if (paste.consumed() || latest.current === '') return;
    onSubmit(latest.current);
    set('');
  };
  return (
    <Box width={columns} height={1} overflow="hidden">
      <Box flexShrink={0}>
        <Text>{shownPrompt}</Text>
      </Box>
      <TextInput
        value={value}
        mask="*"
        onChange={set}
        accept={() => !paste.consumed()}
        onSubmit={submit}
      />
    </Box>
  );
}
