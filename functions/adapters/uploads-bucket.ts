/**
 * The uploads bucket: original lists (`lists/…`), presigned URLs to upload and download them, and the
 * rejected-rows CSV of each import (`rejected/<listId>.csv`).
 *
 * The rejected-rows CSV is written to a temporary file while the import streams and uploaded at the end with a known
 * length, so a list with a million bad rows costs disk (Lambda's /tmp), not memory.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ListFiles, RejectedRowsUpload } from '../use-cases/import/list-intake.ts';
import { s3Client } from './aws-clients.ts';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export class UploadsBucket implements ListFiles {
  readonly bucket: string;
  private readonly client: typeof s3Client;

  constructor(bucket: string, client = s3Client) {
    this.bucket = bucket;
    this.client = client;
  }

  /**
   * A URL that lets its holder PUT one object of exactly `sizeBytes` at `key` until it expires, and only while no
   * object is there: `content-length` and `if-none-match: *` are signed headers, so S3 refuses another size (the
   * signature no longer matches) and any second PUT (412 Precondition Failed), however valid the URL still is.
   */
  presignPut(key: string, expiresInSeconds: number, sizeBytes: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: sizeBytes, IfNoneMatch: '*' }),
      { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-length', 'if-none-match']) },
    );
  }

  /** A URL that lets its holder download the object at `key`, saved as `filename`, until it expires. */
  presignGet(key: string, expiresInSeconds: number, filename: string): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${filename}"`,
      }),
      { expiresIn: expiresInSeconds },
    );
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /** The object's bytes as a stream (read it to the end or destroy it). */
  async open(key: string): Promise<Readable> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (Body === undefined) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return Body as Readable;
  }

  /** The object's size, or `undefined` when it does not exist. */
  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async getText(key: string): Promise<string> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (Body === undefined) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return Body.transformToString('utf8');
  }

  /** Starts a CSV object at `key`, written piece by piece. */
  async rejectedRowsUpload(key: string): Promise<RejectedRowsUpload> {
    const directory = await mkdtemp(join(tmpdir(), 'rejected-'));
    const path = join(directory, 'rejected.csv');
    const file = createWriteStream(path);
    const closed = once(file, 'close');
    closed.catch(() => undefined); // awaited by finish or discard; a write error must not go unhandled before that
    const remove = () => rm(directory, { recursive: true, force: true });
    return {
      write: async (text) => {
        if (!file.write(text)) await once(file, 'drain');
      },
      finish: async () => {
        file.end();
        await closed;
        try {
          const { size } = await stat(path);
          await this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: key,
              Body: createReadStream(path),
              ContentLength: size,
              ContentType: CSV_CONTENT_TYPE,
            }),
          );
        } finally {
          await remove();
        }
      },
      discard: async () => {
        file.destroy();
        await closed.catch(() => undefined);
        await remove();
      },
    };
  }
}
