/**
 * Rewrites yargs' parse errors as one plain line saying what was wrong, and
 * names the help page to read. Pure: the argv is passed in.
 */
export function usageMessage(
  message: string,
  argv: readonly string[],
  commands: ReadonlySet<string>,
): { message: string; hint: string } {
  const path = argv.filter(
    (token, i) => i < 2 && commands.has(token) && argv.slice(0, i).every((t) => commands.has(t)),
  );
  const hint = `see \`chat ${[...path, '--help'].join(' ')}\``;
  return { message: rewrite(message.replace(/\s+/g, ' ').trim(), argv, path), hint };
}

function rewrite(message: string, argv: readonly string[], path: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown?.[1]) {
    const names = unknown[1].split(', ').filter((name) => !isCamelTwin(name, unknown[1] ?? ''));
    return names
      .map((name) =>
        argv.some((t) => t === `--${name}` || t.startsWith(`--${name}=`) || t === `-${name}`)
          ? `unknown option --${name}`
          : `unknown command ${JSON.stringify(name)}`,
      )
      .join('; ');
  }
  const suggestion = /^Did you mean (.*)\?$/.exec(message);
  if (suggestion) {
    const typo = argv.find((t, i) => i >= path.length && !t.startsWith('-'));
    return `unknown command ${JSON.stringify(typo ?? '')}: did you mean ${suggestion[1]}?`;
  }
  const invalid = /^Invalid values: Argument: ([\w-]+), Given: (.*), Choices: (.*)$/.exec(message);
  if (invalid) return `invalid --${invalid[1]} ${invalid[2]}: choose one of ${invalid[3]}`;
  if (/^Not enough non-option arguments/.test(message)) return 'a required argument is missing';
  return message;
}

// yargs reports a dashed option twice, as key-type and keyType.
function isCamelTwin(name: string, all: string): boolean {
  if (!/[A-Z]/.test(name)) return false;
  const dashed = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return all.split(', ').includes(dashed);
}
