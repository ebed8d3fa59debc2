/**
 * A byte stream that can be peeked at: the reader looks at the first bytes of a list (signature, BOM, header line)
 * before handing the whole stream, those bytes included, to the CSV or XLSX parser.
 */
import type { Readable } from 'node:stream';

/** What lists are read from: an S3 `GetObject` body, a file stream, or any async iterable of byte chunks. */
export type ListInput = Readable | AsyncIterable<Uint8Array>;

export class ByteSource {
  readonly #iterator: AsyncIterator<unknown>;
  #pending: Buffer[] = [];
  #done = false;

  constructor(input: ListInput) {
    this.#iterator = input[Symbol.asyncIterator]();
  }

  /** The next chunk, or `undefined` at the end. */
  async next(): Promise<Buffer | undefined> {
    const pending = this.#pending.shift();
    if (pending !== undefined) {
      return pending;
    }
    while (!this.#done) {
      const result = await this.#iterator.next();
      if (result.done === true) {
        this.#done = true;
        break;
      }
      const chunk = toBuffer(result.value);
      if (chunk.length > 0) {
        return chunk;
      }
    }
    return undefined;
  }

  /**
   * The first `bytes` bytes still to come (fewer at the end of the stream), without consuming them.
   */
  async peek(bytes: number): Promise<Buffer> {
    let total = this.#pending.reduce((sum, chunk) => sum + chunk.length, 0);
    while (total < bytes && !this.#done) {
      const result = await this.#iterator.next();
      if (result.done === true) {
        this.#done = true;
        break;
      }
      const chunk = toBuffer(result.value);
      this.#pending.push(chunk);
      total += chunk.length;
    }
    const head = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = head === undefined || head.length === 0 ? [] : [head];
    return head ?? Buffer.alloc(0);
  }

  /** Whether the stream has been read to its end (after a `peek`, the peeked bytes may still be pending). */
  get exhausted(): boolean {
    return this.#done;
  }

  /** Stops reading; the underlying stream is destroyed (for a Readable) or its iterator returned. */
  async close(): Promise<void> {
    this.#pending = [];
    if (!this.#done) {
      this.#done = true;
      await this.#iterator.return?.();
    }
  }

  /** Everything still to come, as an async iterable of chunks. */
  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) {
        yield chunk;
      }
    } finally {
      await this.close();
    }
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) {
    return chunk;
  }
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  // A Readable with an encoding set decodes before we can check the bytes; that is a programming error.
  throw new TypeError(`list input must yield bytes (Buffer or Uint8Array), got ${typeof chunk}`);
}
