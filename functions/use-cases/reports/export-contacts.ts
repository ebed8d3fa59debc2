/**
 * Streams a run's per-contact export (CSV or XLSX) from DynamoDB into the reports bucket: one page
 * of contacts and one 5 MiB part in memory at a time, whatever the list size.
 */
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import {
  type AnswerFilter,
  contactRow,
  csvLine,
  exportColumns,
  matchesAnswers,
  UTF8_BOM,
} from '../../core/report/contact-rows.ts';
import type { ReportQuestion } from '../../core/report/summary.ts';
import type { ExportFormat, ObjectWriter, ReportFiles, ReportReader } from './ports.ts';

export interface ExportRequest {
  campaignId: string;
  date: string;
  format: ExportFormat;
  questions: readonly ReportQuestion[];
  filters: readonly AnswerFilter[];
}

export interface ExportResult {
  key: string;
  fileName: string;
  rows: number;
  bytes: number;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Where an export lives: `exports/<campaignId>/<date>/contacts[-<filter>]-<stamp>.<format>`. */
export function exportObjectKey(request: ExportRequest, now: Date): { key: string; fileName: string } {
  const filter = request.filters.map(
    (item) => `${item.questionId}-${item.key.replace('*', 'star').replace('#', 'hash')}`,
  );
  const fileName = `${request.campaignId}-${request.date}-contacts${filter.length > 0 ? `-${filter.join('-')}` : ''}.${request.format}`;
  const stamp = now.toISOString().replace(/[:.]/g, '');
  return { key: `exports/${request.campaignId}/${request.date}/${stamp}-${fileName}`, fileName };
}

/** A row sink: CSV lines or XLSX rows into the multipart writer. */
interface RowSink {
  header(cells: string[]): Promise<void>;
  row(cells: string[]): Promise<void>;
  finish(): Promise<void>;
}

function csvSink(writer: ObjectWriter): RowSink {
  return {
    header: (cells) => writer.write(UTF8_BOM + csvLine(cells)),
    row: (cells) => writer.write(csvLine(cells)),
    finish: async () => undefined,
  };
}

function xlsxSink(writer: ObjectWriter): RowSink {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writer.write(chunk).then(() => callback(), callback);
    },
  });
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('contacts');
  // Cells are written as strings (never formulas), so a leading = + - @ is inert in Excel.
  const add = async (cells: string[]) => {
    sheet.addRow(cells).commit();
  };
  return {
    header: add,
    row: add,
    finish: async () => {
      sheet.commit();
      await workbook.commit();
      await finished;
    },
  };
}

/**
 * Writes the export object and returns where it is and how many rows it has. `afterPage` hears the rows written
 * so far after each page of contacts (progress for whoever waits).
 */
export async function exportContacts(
  store: Pick<ReportReader, 'contactPages' | 'followUpsInPhoneOrder'>,
  bucket: Pick<ReportFiles, 'writer'>,
  request: ExportRequest,
  now = new Date(),
  afterPage: (rows: number) => Promise<void> = async () => undefined,
): Promise<ExportResult> {
  const { key, fileName } = exportObjectKey(request, now);
  const writer = bucket.writer(key, CONTENT_TYPES[request.format]);
  const sink = request.format === 'csv' ? csvSink(writer) : xlsxSink(writer);
  const followUps = store.followUpsInPhoneOrder(request.campaignId, request.date);
  let pendingFollowUp = await followUps.next();
  let extraColumns: string[] | undefined;
  let rows = 0;
  try {
    for await (const page of store.contactPages(request.campaignId, request.date)) {
      if (extraColumns === undefined && page.length > 0) {
        // The list's extra columns, as its contacts carry them; any other attribute lands in `other_attributes`.
        extraColumns = [...new Set(page.flatMap((contact) => Object.keys(contact.attributes)))].sort();
        await sink.header(exportColumns(extraColumns, request.questions));
      }
      for (const contact of page) {
        const contactFollowUps: string[] = [];
        while (!pendingFollowUp.done && pendingFollowUp.value.phone <= contact.phone) {
          if (pendingFollowUp.value.phone === contact.phone) contactFollowUps.push(pendingFollowUp.value.text);
          pendingFollowUp = await followUps.next();
        }
        if (!matchesAnswers(contact, request.filters)) continue;
        await sink.row(contactRow(contact, extraColumns ?? [], request.questions, contactFollowUps));
        rows++;
      }
      await afterPage(rows);
    }
    if (extraColumns === undefined) await sink.header(exportColumns([], request.questions));
    await sink.finish();
    await writer.close();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
  return { key, fileName, rows, bytes: writer.bytes };
}
