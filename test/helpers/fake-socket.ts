import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';

/**
 * Just enough of a TLSSocket for a Connection, with the reader played by
 * the test: written bytes wait in `writableLength` until `read()` takes
 * them, and `drain` follows as node's does once a write found the buffer
 * at its high-water mark. Corking changes nothing here.
 */
export class FakeSocket extends EventEmitter {
  writableLength = 0;
  readonly writableHighWaterMark = 16 * 1024;
  writableNeedDrain = false;
  writableEnded = false;
  destroyed = false;
  /** Everything written, in order, as text. */
  readonly written: string[] = [];
  private readonly callbacks: Array<{ upTo: number; done: () => void }> = [];
  private total = 0;
  private taken = 0;

  /** Reads everything written as soon as it is written (a fast reader). */
  autoRead = false;

  write(chunk: Buffer | string, done?: () => void): boolean {
    const bytes = Buffer.byteLength(chunk);
    this.written.push(chunk.toString());
    this.writableLength += bytes;
    this.total += bytes;
    if (done) this.callbacks.push({ upTo: this.total, done });
    const room = this.writableLength < this.writableHighWaterMark;
    if (!room) this.writableNeedDrain = true;
    if (this.autoRead) setImmediate(() => this.read());
    return room;
  }

  cork(): void {}

  uncork(): void {}

  /** The reader takes `bytes` bytes (all by default): callbacks of writes wholly taken run. */
  read(bytes = this.writableLength): void {
    const take = Math.min(bytes, this.writableLength);
    this.writableLength -= take;
    this.taken += take;
    while (this.callbacks[0] && this.callbacks[0].upTo <= this.taken)
      this.callbacks.shift()?.done();
    if (this.writableLength === 0 && this.writableNeedDrain) {
      this.writableNeedDrain = false;
      this.emit('drain');
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    setImmediate(() => this.emit('close'));
  }

  getProtocol(): string {
    return 'TLSv1.3';
  }

  getCipher(): { name: string } {
    return { name: 'TLS_AES_128_GCM_SHA256' };
  }

  getPeerCertificate(): object {
    return {};
  }

  /** As the TLSSocket a Connection takes. */
  asTls(): TLSSocket {
    return this as unknown as TLSSocket;
  }
}
