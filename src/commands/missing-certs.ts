import { ChatError } from '../errors.ts';

/** Where a client command looked for its certificates, and what it found there. */
export interface CertsLookup {
  /** The certs folder looked in (it has no ca.crt). */
  certsDir: string;
  /** An explicit --certs or CHAT_CERTS_DIR, or the team's profile. */
  certsFrom: 'explicit' | 'profile';
  /** The team of the profile, when one was used. */
  team: string | undefined;
  /** How the team was chosen. */
  teamFrom: 'flag' | 'env' | 'only' | 'default' | undefined;
  host: string;
  port: number;
  /** Whether the command may make a team of its own here (chat tui against localhost). */
  mayStartTeam: boolean;
  /** Whether something already accepts connections at host:port. */
  serverAnswers: boolean;
}

/** What a client command's placed arguments tell a lookup (see cli/profile-options.ts). */
export interface PlacedCerts {
  certs: string;
  certsFrom?: 'explicit' | 'profile' | undefined;
  team?: string | undefined;
  teamFrom?: CertsLookup['teamFrom'];
  host: string;
  port: number;
}

/** The lookup for a command's arguments; a missing certsFrom counts as explicit. */
export function certsLookup(
  args: PlacedCerts,
  here: Pick<CertsLookup, 'mayStartTeam' | 'serverAnswers'>,
): CertsLookup {
  return {
    certsDir: args.certs,
    certsFrom: args.certsFrom ?? 'explicit',
    team: args.team,
    teamFrom: args.teamFrom,
    host: args.host,
    port: args.port,
    ...here,
  };
}

/**
 * What to do when a client command finds no certificates: make a new team
 * here (`first-run`, only for chat tui on its default profile, against
 * localhost with nothing listening) or fail with one line naming the fix.
 * A reachable server is never answered by a new CA, and a folder or team
 * the user named is never filled with one. Pure.
 */
export function missingCerts(lookup: CertsLookup): 'first-run' | ChatError {
  const where = `${lookup.host}:${lookup.port}`;
  if (lookup.certsFrom === 'explicit') {
    return new ChatError('NO_CA', `${lookup.certsDir} holds no certificates (no ca.crt)`, {
      hint: `check --certs (or CHAT_CERTS_DIR); to start a new team there, run \`chat certs --dir ${lookup.certsDir}\``,
    });
  }
  if (lookup.teamFrom === 'flag' || lookup.teamFrom === 'env') {
    return new ChatError('NO_CA', `this machine has no profile for the team ${lookup.team}`, {
      hint: `join it with \`chat join FILE\` (an invite from its admin), or start it with \`chat certs --team ${lookup.team}\``,
    });
  }
  if (!lookup.mayStartTeam) {
    return new ChatError('NO_CA', `this machine has no certificates for the server at ${where}`, {
      hint: "ask the team's admin for an invite, then run `chat join FILE`",
    });
  }
  if (lookup.serverAnswers) {
    return new ChatError(
      'NO_CA',
      `a server already runs at ${where}, and this machine has no certificates for it`,
      {
        hint: 'ask its admin for an invite (`chat join FILE`), or give your own team another --port',
      },
    );
  }
  return 'first-run';
}
