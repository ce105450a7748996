/**
 * The bytes of one line gathered across chunks, up to a bound: the part of
 * a line decoder that holds what came before its newline. It copies what it
 * is given (the caller may reuse its buffer, and a small view would keep a
 * large chunk alive) and lets a large buffer go once the line is taken.
 * Pure.
 */
export class LineBuffer {
  #buffer = new Uint8Array(0);
  #length = 0;

  /** @param maxBytes the most bytes it ever allocates */
  constructor(private readonly maxBytes: number) {}

  /** Bytes held. */
  get length(): number {
    return this.#length;
  }

  /** Adds `bytes` (the caller checked they fit the bound). */
  append(bytes: Uint8Array): void {
    const needed = this.#length + bytes.length;
    if (needed > this.#buffer.length) {
      const size = Math.min(this.maxBytes, Math.max(needed, 2 * this.#buffer.length, 1024));
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#length);
    this.#length = needed;
  }

  /** The bytes held plus `tail` as one array; empties the buffer. */
  take(tail: Uint8Array): Uint8Array {
    if (this.#length === 0) return tail;
    const line = new Uint8Array(this.#length + tail.length);
    line.set(this.#buffer.subarray(0, this.#length));
    line.set(tail, this.#length);
    this.#length = 0;
    // An idle connection keeps no large buffer.
    if (this.#buffer.length > 4096) this.#buffer = new Uint8Array(0);
    return line;
  }

  /** Drops what it holds, and its memory. */
  clear(): void {
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
  }
}
