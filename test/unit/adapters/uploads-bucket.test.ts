import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { s3Client } from '../../../functions/adapters/aws-clients.ts';
import { UploadsBucket } from '../../../functions/adapters/uploads-bucket.ts';
import { RecordingClient } from './recording-client.ts';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('UploadsBucket.rejectedRowsUpload', () => {
  it('spools the CSV to a temporary file and uploads it with its length once finished', async () => {
    let body = '';
    const client = new RecordingClient();
    const sent = client.send.bind(client);
    client.send = async (command) => {
      const input = command.input as { Body?: Readable };
      if (input.Body !== undefined) body = await text(input.Body);
      return sent(command);
    };
    const bucket = new UploadsBucket('uploads', client as unknown as typeof s3Client);

    const upload = await bucket.rejectedRowsUpload('rejected/20260302-01020304050607ff.csv');
    await upload.write('\uFEFFphone,reason\r\n');
    for (let line = 2; line < 2_000; line++) await upload.write(`"=1+1",line ${line}: not a phone number\r\n`);
    expect(client.sent).toHaveLength(0);
    await upload.finish();

    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toMatchObject({
      name: 'PutObjectCommand',
      input: {
        Bucket: 'uploads',
        Key: 'rejected/20260302-01020304050607ff.csv',
        ContentType: 'text/csv; charset=utf-8',
        ContentLength: Buffer.byteLength(body),
      },
    });
    expect(body.split('\r\n')).toHaveLength(1 + 1_998 + 1); // header, lines 2-1999, nothing after the last CRLF
  });

  it('uploads nothing when discarded', async () => {
    const client = new RecordingClient();
    const upload = await new UploadsBucket('uploads', client as unknown as typeof s3Client).rejectedRowsUpload('k');

    await upload.write('phone,reason\r\n');
    await upload.discard();

    expect(client.sent).toHaveLength(0);
  });
});

describe('UploadsBucket.presignPut', () => {
  it('signs the exact size and if-none-match into the URL: no other size, no overwrite', async () => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });

    const url = new URL(await new UploadsBucket('uploads', client).presignPut('lists/demo/x.csv', 3_600, 1_234));

    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host;if-none-match');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
  });
});
