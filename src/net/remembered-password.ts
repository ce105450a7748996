import { ChatError } from '../errors.ts';
import { passwordProblem } from './password-rules.ts';

/** Who is asked for a password: the user the server knows, and the server. */
export interface PasswordAsk {
  user: string;
  host: string;
  port: number;
}

/**
 * The user's password for one server: asked for when the server first wants
 * it, then given again on every reconnect until the server calls it wrong.
 */
export class RememberedPassword {
  private password: string | undefined;

  /** `ask`: where a password comes from (a person, a script); none: the server's request fails. */
  constructor(
    private readonly ask: ((request: PasswordAsk) => Promise<string> | string) | undefined,
    /** The server that asks, when it asks (a node of a cluster may change between attempts). */
    private readonly server: () => { host: string; port: number },
  ) {}

  /**
   * The password for `user`: the one given before, else what `ask` gives.
   * Throws a `PASSWORD_REQUIRED` or `INVALID_PASSWORD` ChatError. Kept even
   * when the connection that asked dropped meanwhile: the next one sends it.
   */
  async get(user: string): Promise<string> {
    let password = this.password;
    if (password === undefined) {
      if (this.ask === undefined) {
        throw new ChatError(
          'PASSWORD_REQUIRED',
          `the server asks for ${user}'s password and none was given`,
          { hint: 'give the password to the client' },
        );
      }
      const { host, port } = this.server();
      password = await this.ask({ user, host, port });
    }
    const problem = passwordProblem(password);
    if (problem !== undefined) {
      throw new ChatError('INVALID_PASSWORD', `cannot send this password: ${problem}`, {
        hint: 'give the password set with `chat users add` or `chat users passwd`',
      });
    }
    this.password = password;
    return password;
  }

  /** The server called it wrong: ask again next time. */
  forget(): void {
    this.password = undefined;
  }
}
