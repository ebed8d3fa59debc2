/** Reading the operator's files and writing downloads, with errors that name the file. */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError } from './errors.ts';

function fileError(path: string, error: unknown, doing: string): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (error as Error).message;
  return new CliError(`cannot ${doing} ${path} (${reason})`);
}

/** Size of a file in bytes. */
export async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    return info.size;
  } catch (error) {
    throw fileError(path, error, 'read');
  }
}

/** A whole file (lists up to the small-path limit, definitions, do-not-call lists). */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(path, error, 'read');
  }
}

/**
 * Streams a response body to a file, reporting bytes written; the file appears only once complete (written to
 * `<file>.part`, then renamed).
 */
export async function writeDownload(
  body: ReadableStream<Uint8Array>,
  path: string,
  onBytes: (written: number) => void = () => undefined,
): Promise<number> {
  const partial = `${path}.part`;
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      onBytes(written);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]),
      counter,
      createWriteStream(partial),
    );
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof CliError) throw error;
    throw fileError(path, error, 'download into');
  }
  return written;
}
