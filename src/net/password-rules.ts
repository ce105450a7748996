import { MAX_PASSWORD_BYTES } from './protocol/frames.ts';

/**
 * Why `password` cannot be used, or undefined when it can: it must not be
 * empty, and at most MAX_PASSWORD_BYTES (1024) bytes of UTF-8, the limit of
 * the `auth` frame. The CLI, the client and the server all ask this.
 */
export function passwordProblem(password: string): string | undefined {
  if (password === '') return 'the password is empty';
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    return `the password is longer than ${MAX_PASSWORD_BYTES} bytes`;
  }
  return undefined;
}
