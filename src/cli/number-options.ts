import { ChatError } from '../errors.ts';
import { flagName } from '../format/flag-name.ts';
import { DAYS_HINT, daysProblem } from '../pki/validate.ts';

/**
 * Refuses a numeric flag that was not given a number (yargs makes `--port
 * abc` NaN): one usage line naming the flag, instead of a NaN that fails
 * later as an unexpected error. `numberKeys` are the options declared as
 * numbers; both spellings yargs keeps (`max-queue`, `maxQueue`) may appear.
 */
export function checkNumbers(argv: Record<string, unknown>, numberKeys: readonly string[]): void {
  for (const key of numberKeys) {
    const values = argv[key];
    for (const value of Array.isArray(values) ? values : [values]) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        const flag = flagName(key);
        throw new ChatError('USAGE', `${flag} takes a number`, {
          hint: `give ${flag} digits only (see --help)`,
        });
      }
    }
  }
}

/** Refuses a port a client cannot dial: a whole number from 1 to 65535. */
export function checkClientPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ChatError('USAGE', `invalid --port ${String(port)}`, {
      hint: 'give the port the server listens on, from 1 to 65535 (8443 by default)',
    });
  }
}

/** Refuses a count that is not a whole number of 0 or more (e.g. `chat tail --history`). */
export function checkCount(value: number, flag: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ChatError('USAGE', `invalid ${flag} ${String(value)}`, {
      hint: `give a whole number of 0 or more for ${flag}`,
    });
  }
}

/** The flags that give a certificate's validity, in days. */
const DAYS_FLAGS = ['days', 'ca-days'] as const;

/** Refuses --days or --ca-days out of 1..36500 as a usage error, before anything is made. */
export function checkDays(argv: Record<string, unknown>): void {
  for (const key of DAYS_FLAGS) {
    const value = argv[key];
    if (typeof value !== 'number') continue;
    const problem = daysProblem(value);
    if (problem) throw new ChatError('USAGE', `invalid --${key}: ${problem}`, { hint: DAYS_HINT });
  }
}
