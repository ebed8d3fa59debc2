import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { MultipartObjectWriter, PART_BYTES } from '../../../../functions/adapters/reports-bucket.ts';
import type { ContactRecord } from '../../../../functions/use-cases/dialing/ports.ts';
import { exportContacts } from '../../../../functions/use-cases/reports/export-contacts.ts';
import { RecordingClient } from '../../adapters/recording-client.ts';

const questions = [{ id: 'q1', prompt: 'Satisfied?', keys: { '1': 'yes', '2': 'no' } }];

const contactOf = (phone: string, answer: string | undefined): ContactRecord => ({
  campaignId: 'demo',
  date: '2026-11-23',
  phone,
  status: answer === undefined ? 'NO_ANSWER' : 'COMPLETED',
  attempts: 1,
  attemptLog: [{ n: 1, at: '2026-11-23T09:00:00.000Z', outcome: 'COMPLETED' }],
  timeZone: 'Europe/Warsaw',
  name: '@evil',
  attributes: { region: 'north' },
  answers: answer === undefined ? {} : { q1: answer },
});

const store = {
  async *contactPages() {
    yield [contactOf('+48601000001', '1'), contactOf('+48601000002', '2')];
    yield [contactOf('+48601000003', undefined), contactOf('+486010000030', '2')];
  },
  async *followUpsInPhoneOrder() {
    yield { phone: '+48601000002', text: 'thanks:SENT' };
    yield { phone: '+486010000030', text: 'thanks:FAILED' };
  },
};

/** A bucket keeping each written object in memory. */
function memoryBucket() {
  const objects = new Map<string, Buffer>();
  return {
    objects,
    writer: (key: string) => {
      const chunks: Buffer[] = [];
      return {
        bytes: 0,
        async write(chunk: string | Uint8Array) {
          chunks.push(Buffer.from(chunk));
        },
        async close() {
          objects.set(key, Buffer.concat(chunks));
        },
        async abort() {},
      } as unknown as MultipartObjectWriter;
    },
  };
}

describe('exportContacts', () => {
  it('writes a BOM-prefixed CSV row per contact with follow-ups merged in by phone and cells escaped', async () => {
    const bucket = memoryBucket();

    const result = await exportContacts(store, bucket, {
      campaignId: 'demo',
      date: '2026-11-23',
      format: 'csv',
      questions,
      filters: [],
    });

    const text = bucket.objects.get(result.key)?.toString('utf8') ?? '';
    const lines = text.split('\r\n').filter((line) => line !== '');
    expect(result.rows).toBe(4);
    expect(text.startsWith('\uFEFFphone,external_id,name,region,status')).toBe(true);
    expect(lines[1]).toBe(`+48601000001,,'@evil,north,COMPLETED,1,1 2026-11-23 10:00:00 +01:00 COMPLETED,yes,no,,`);
    expect(lines[2]).toContain(',thanks:SENT,');
    expect(lines[3]).toContain(',no,,');
    expect(lines[4]).toContain(',thanks:FAILED,');
  });

  it('keeps only the contacts matching ?answer=q1:2', async () => {
    const bucket = memoryBucket();

    const result = await exportContacts(store, bucket, {
      campaignId: 'demo',
      date: '2026-11-23',
      format: 'csv',
      questions,
      filters: [{ questionId: 'q1', key: '2' }],
    });

    expect(result.rows).toBe(2);
    expect(bucket.objects.get(result.key)?.toString('utf8')).not.toContain('+48601000001,');
  });

  it('writes an XLSX workbook whose cells are strings, never formulas', async () => {
    const bucket = memoryBucket();

    const result = await exportContacts(store, bucket, {
      campaignId: 'demo',
      date: '2026-11-23',
      format: 'xlsx',
      questions,
      filters: [],
    });

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bucket.objects.get(result.key) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('contacts');
    expect(sheet?.rowCount).toBe(5);
    expect(sheet?.getRow(2).getCell(3).value).toBe('@evil');
    expect(sheet?.getRow(2).getCell(3).type).toBe(ExcelJS.ValueType.String);
  });
});

describe('MultipartObjectWriter', () => {
  it('uploads 5 MiB parts and completes them in order', async () => {
    const client = new RecordingClient((command) =>
      command.name === 'CreateMultipartUploadCommand' ? { UploadId: 'u1' } : { ETag: `"${command.input.PartNumber}"` },
    );
    const writer = new MultipartObjectWriter(client as never, 'bucket', 'key.csv', 'text/csv');

    for (let index = 0; index < 11; index++) await writer.write('x'.repeat(1024 * 1024));
    await writer.close();

    expect(client.named('UploadPartCommand').map((command) => (command.input.Body as Buffer).length)).toEqual([
      PART_BYTES,
      PART_BYTES,
      1024 * 1024,
    ]);
    expect(client.named('CompleteMultipartUploadCommand')[0]?.input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"1"', PartNumber: 1 },
        { ETag: '"2"', PartNumber: 2 },
        { ETag: '"3"', PartNumber: 3 },
      ],
    });
  });

  it('puts a small object in one request', async () => {
    const client = new RecordingClient();
    const writer = new MultipartObjectWriter(client as never, 'bucket', 'key.csv', 'text/csv');

    await writer.write('a,b\r\n');
    await writer.close();

    expect(client.sent.map((command) => command.name)).toEqual(['PutObjectCommand']);
  });
});
