/**
 * Reads one workbook as the import does, in a process of its own, so a test can give it the import Lambda's memory
 * (`node --max-old-space-size=<MiB> read-workbook-child.ts <file> [temporaryRoot]`). Prints one JSON line: the rows
 * read, or the refusal's code and message. A process that runs out of memory prints nothing and exits non-zero.
 */
import { createReadStream } from 'node:fs';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';
import { readList } from '../../../../functions/core/import/list-reader.ts';

const [file, temporaryRoot] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: read-workbook-child.ts <file> [temporaryRoot]');
const settings = {
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  import: { phoneColumns: ['phone'], allowPremium: false },
};
try {
  const { rows } = await readList(createReadStream(file), 'xlsx', settings, {
    xlsx: temporaryRoot === undefined ? {} : { temporaryRoot },
  });
  let count = 0;
  for await (const _row of rows) count++;
  console.log(JSON.stringify({ rows: count, heapMiB: Math.round(process.memoryUsage().rss / 1024 / 1024) }));
} catch (error) {
  if (!(error instanceof ListFormatError)) throw error;
  console.log(JSON.stringify({ code: error.code, message: error.message, line: error.line }));
}
