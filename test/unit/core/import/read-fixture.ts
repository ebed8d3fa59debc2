/** Reading the list fixtures of `test/fixtures/lists/` the way the import adapter will. */
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  type ListFileFormat,
  type ListHeader,
  type ReadListOptions,
  type ReadListSettings,
  readList,
} from '../../../../functions/core/import/list-reader.ts';
import type { RowResult } from '../../../../functions/core/import/row-validator.ts';

const FIXTURES = new URL('../../../fixtures/lists/', import.meta.url);

/** Campaign settings the fixtures are written for: a Polish campaign with the schema's default phone columns. */
export const POLISH_CAMPAIGN: ReadListSettings = {
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  import: { phoneColumns: ['phone', 'phone_number', 'number', 'msisdn', 'telefon', 'tel'], allowPremium: false },
};

/** The bytes of a fixture. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** A fixture as a file stream (`chunkSize` bytes per chunk, to exercise chunk boundaries). */
export function fixtureStream(name: string, chunkSize = 64 * 1024): Readable {
  return createReadStream(new URL(name, FIXTURES), { highWaterMark: chunkSize });
}

/** `bytes` split into chunks of the given sizes (cycled), as an async iterable. */
export async function* chunked(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const size = Math.max(1, sizes[index % sizes.length] ?? 1);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** Reads a whole list: its header and every row outcome. */
export async function readAll(
  input: Readable | AsyncIterable<Uint8Array>,
  format: ListFileFormat = 'csv',
  settings: ReadListSettings = POLISH_CAMPAIGN,
  options: ReadListOptions = {},
): Promise<{ header: ListHeader; rows: RowResult[] }> {
  const { header, rows } = await readList(input, format, settings, options);
  const results: RowResult[] = [];
  for await (const row of rows) {
    results.push(row);
  }
  return { header, rows: results };
}

/** Reads a whole fixture. */
export function readFixture(
  name: string,
  settings: ReadListSettings = POLISH_CAMPAIGN,
): Promise<{ header: ListHeader; rows: RowResult[] }> {
  return readAll(fixtureStream(name), 'csv', settings);
}

/** Reads bytes given in the test. */
export function readBytes(
  bytes: Buffer | string,
  format: ListFileFormat = 'csv',
  settings: ReadListSettings = POLISH_CAMPAIGN,
  options: ReadListOptions = {},
): Promise<{ header: ListHeader; rows: RowResult[] }> {
  return readAll(Readable.from([typeof bytes === 'string' ? Buffer.from(bytes) : bytes]), format, settings, options);
}
