/**
 * Listing and deleting a bucket's objects under a prefix: what a person's erasure needs of the uploads and reports
 * buckets (the lists and exports of the runs they were in).
 */
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client } from './aws-clients.ts';

export class StoredFiles {
  readonly bucket: string;
  private readonly client: typeof s3Client;

  constructor(bucket: string, client = s3Client) {
    this.bucket = bucket;
    this.client = client;
  }

  /** Every key under `prefix`. */
  async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
