/**
 * Local copies of the objects under S3 prefixes, kept in step with the bucket through the S3 SDK (DuckDB has no S3
 * access here): each sync lists the prefixes, downloads new or changed objects (by ETag) and drops copies of deleted
 * ones. It also keeps each Parquet file's compressed bytes per column, to estimate what Athena would scan.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parquetMetadata } from 'hyparquet';
import type { TableFiles } from './endpoint.ts';

interface CachedObject {
  etag: string;
  path: string;
  /** Compressed bytes of each column (path in schema → bytes), summed over row groups. */
  columnBytes: Map<string, number>;
}

export class S3FileCache implements TableFiles {
  private readonly client: S3Client;
  private readonly directory: string;
  private readonly objects = new Map<string, CachedObject>();

  constructor(client: S3Client, directory: string) {
    this.client = client;
    this.directory = directory;
  }

  /** Brings the copies of `s3://bucket/prefix…` up to date; returns their local paths, sorted. */
  async sync(bucket: string, prefix: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.syncOnce(bucket, prefix);
      } catch (error) {
        // An object deleted between the listing and the download (compaction removing merged files): list again.
        if ((error as Error).name !== 'NoSuchKey' || attempt >= 3) throw error;
      }
    }
  }

  private async syncOnce(bucket: string, prefix: string): Promise<string[]> {
    const listed = new Map<string, string>();
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) listed.set(object.Key, object.ETag ?? String(object.LastModified));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);

    const scope = `${bucket}/${prefix}`;
    for (const [id, cached] of this.objects) {
      if (id.startsWith(scope) && !listed.has(id.slice(bucket.length + 1))) {
        rmSync(cached.path, { force: true });
        this.objects.delete(id);
      }
    }
    const paths: string[] = [];
    for (const [key, etag] of listed) {
      const id = `${bucket}/${key}`;
      let cached = this.objects.get(id);
      if (cached?.etag !== etag) {
        const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
        const path = join(this.directory, bucket, key);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, bytes);
        cached = { etag, path, columnBytes: columnBytesOf(bytes) };
        this.objects.set(id, cached);
      }
      paths.push(cached.path);
    }
    return paths.sort();
  }

  /** Compressed bytes of these columns in a cached file (0 for a file this cache does not hold). */
  bytesOf(path: string, columns: readonly string[]): number {
    for (const cached of this.objects.values()) {
      if (cached.path !== path) continue;
      return columns.reduce((sum, column) => sum + (cached.columnBytes.get(column) ?? 0), 0);
    }
    return 0;
  }

  /** The local folder of `s3://bucket/prefix`. */
  folderOf(bucket: string, prefix: string): string {
    return join(this.directory, bucket, prefix);
  }

  /** Every cached path under a local folder. */
  pathsUnder(folder: string): string[] {
    return [...this.objects.values()].map((cached) => cached.path).filter((path) => path.startsWith(folder));
  }
}

/** Compressed bytes per column of a Parquet file (empty when it is not Parquet). */
export function columnBytesOf(bytes: Uint8Array): Map<string, number> {
  const sizes = new Map<string, number>();
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    for (const group of parquetMetadata(buffer as ArrayBuffer).row_groups) {
      for (const column of group.columns) {
        const name = column.meta_data?.path_in_schema.join('.');
        if (name !== undefined)
          sizes.set(name, (sizes.get(name) ?? 0) + Number(column.meta_data?.total_compressed_size ?? 0));
      }
    }
  } catch {
    // Not Parquet: nothing to estimate.
  }
  return sizes;
}
