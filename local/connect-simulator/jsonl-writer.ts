/** Appends JSON lines to a file in call order, creating its directory on first use. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonlWriter {
  readonly path: string;
  #tail: Promise<void> = Promise.resolve();
  #directoryReady: Promise<unknown> | undefined;
  #onError: (error: unknown) => void;

  constructor(path: string, onError: (error: unknown) => void) {
    this.path = path;
    this.#onError = onError;
  }

  /** Queues one line; failures go to `onError` and never break later writes. */
  append(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    this.#directoryReady ??= mkdir(dirname(this.path), { recursive: true });
    const directoryReady = this.#directoryReady;
    this.#tail = this.#tail
      .then(() => directoryReady)
      .then(() => appendFile(this.path, line, 'utf8'))
      .catch(this.#onError);
  }

  /** Resolves once every queued line is written. */
  flush(): Promise<void> {
    return this.#tail;
  }
}
