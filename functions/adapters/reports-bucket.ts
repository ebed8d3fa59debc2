/**
 * The reports bucket: exports streamed in with a multipart upload (5 MiB parts, so memory stays
 * flat whatever the list size), summaries put whole, and presigned GET links to both.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectWriter, ReportFiles } from '../use-cases/reports/ports.ts';
import { s3Client } from './aws-clients.ts';

/** S3's smallest part (except the last). */
export const PART_BYTES = 5 * 1024 * 1024;

/** Writes one object as a sequence of chunks; call `close` to complete it or `abort` on failure. */
export class MultipartObjectWriter implements ObjectWriter {
  private readonly client: typeof s3Client;
  private readonly bucket: string;
  private readonly key: string;
  private readonly contentType: string;
  private uploadId: string | undefined;
  private readonly parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(client: typeof s3Client, bucket: string, key: string, contentType: string) {
    this.client = client;
    this.bucket = bucket;
    this.key = key;
    this.contentType = contentType;
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    this.buffered.push(buffer);
    this.bufferedBytes += buffer.length;
    this.bytes += buffer.length;
    if (this.bufferedBytes >= PART_BYTES) await this.flush();
  }

  async close(): Promise<void> {
    if (this.uploadId === undefined) {
      // Small object: one PUT.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: Buffer.concat(this.buffered),
          ContentType: this.contentType,
        }),
      );
      this.buffered = [];
      return;
    }
    if (this.bufferedBytes > 0) await this.flush();
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
  }

  async abort(): Promise<void> {
    if (this.uploadId === undefined) return;
    await this.client.send(
      new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId }),
    );
  }

  private async flush(): Promise<void> {
    if (this.uploadId === undefined) {
      const created = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.contentType }),
      );
      this.uploadId = created.UploadId;
    }
    const body = Buffer.concat(this.buffered);
    this.buffered = [];
    this.bufferedBytes = 0;
    const partNumber = this.parts.length + 1;
    const { ETag } = await this.client.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        PartNumber: partNumber,
        Body: body,
      }),
    );
    this.parts.push({ ETag, PartNumber: partNumber });
  }
}

export class ReportsBucket implements ReportFiles {
  private readonly bucket: string;
  private readonly client: typeof s3Client;

  constructor(bucket: string, client = s3Client) {
    this.bucket = bucket;
    this.client = client;
  }

  writer(key: string, contentType: string): MultipartObjectWriter {
    return new MultipartObjectWriter(this.client, this.bucket, key, contentType);
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value, null, 2),
        ContentType: 'application/json; charset=utf-8',
      }),
    );
  }

  /** A GET link valid for `expiresInSeconds` (default one day). */
  async downloadUrl(key: string, fileName: string, expiresInSeconds = 86_400): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${fileName}"`,
      }),
      { expiresIn: expiresInSeconds },
    );
  }
}
