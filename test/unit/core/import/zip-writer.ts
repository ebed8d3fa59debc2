/**
 * A minimal ZIP writer for tests: builds workbooks the way an attacker would (zip bombs: a small file whose parts
 * inflate to gigabytes; parts in any order; data descriptors), streaming, so a gigabyte of XML never sits in memory.
 * Format: PKWARE APPNOTE 6.3.x, local file headers + central directory, deflate (method 8), no ZIP64.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { constants, crc32, createDeflateRaw } from 'node:zlib';

export interface ZipPart {
  name: string;
  /** The part's bytes, in pieces (a generator can produce a gigabyte without holding it). */
  content: Iterable<Buffer | string>;
  /** Write sizes after the data (bit 3) instead of in the local header, as streaming writers do. */
  descriptor?: boolean;
}

/** Writes `parts`, in the given order, to `path`; returns the file's size. */
export async function writeZip(path: string, parts: readonly ZipPart[]): Promise<number> {
  const out = createWriteStream(path);
  let offset = 0;
  const write = async (bytes: Buffer) => {
    offset += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  };
  const directory: Buffer[] = [];
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    // Deflate first (to a list of compressed chunks), so the local header can carry the sizes.
    const deflater = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION });
    const compressed: Buffer[] = [];
    deflater.on('data', (chunk: Buffer) => compressed.push(chunk));
    let crc = 0;
    let size = 0;
    for (const piece of part.content) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      crc = crc32(bytes, crc);
      size += bytes.length;
      if (!deflater.write(bytes)) await once(deflater, 'drain');
    }
    deflater.end();
    await once(deflater, 'end');
    const compressedSize = compressed.reduce((sum, chunk) => sum + chunk.length, 0);
    if (size >= 0xffffffff || compressedSize >= 0xffffffff) throw new Error('too large for a ZIP without ZIP64');
    const flags = part.descriptor === true ? 0x08 : 0;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(part.descriptor === true ? 0 : crc, 14);
    header.writeUInt32LE(part.descriptor === true ? 0 : compressedSize, 18);
    header.writeUInt32LE(part.descriptor === true ? 0 : size, 22);
    header.writeUInt16LE(name.length, 26);
    const localOffset = offset;
    await write(Buffer.concat([header, name]));
    for (const chunk of compressed) await write(chunk);
    if (part.descriptor === true) {
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(compressedSize, 8);
      descriptor.writeUInt32LE(size, 12);
      await write(descriptor);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressedSize, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(localOffset, 42);
    directory.push(Buffer.concat([central, name]));
  }
  const directoryOffset = offset;
  const directoryBytes = Buffer.concat(directory);
  await write(directoryBytes);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  await write(end);
  out.end();
  await once(out, 'close');
  return offset;
}

/** `count` copies of `piece`, `batch` at a time (few large writes instead of many small ones). */
export function* repeated(piece: string, count: number, batch = 4_096): Generator<Buffer> {
  const block = Buffer.from(piece.repeat(batch), 'utf8');
  let left = count;
  while (left >= batch) {
    yield block;
    left -= batch;
  }
  if (left > 0) yield Buffer.from(piece.repeat(left), 'utf8');
}

/** The parts every workbook needs besides its sheet and shared strings. */
export const WORKBOOK_PARTS = {
  contentTypes: {
    name: '[Content_Types].xml',
    content: [
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
        '</Types>',
    ],
  },
  rels: {
    name: '_rels/.rels',
    content: [
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '</Relationships>',
    ],
  },
  workbook: {
    name: 'xl/workbook.xml',
    content: [
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
        '<sheet name="List" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ],
  },
  workbookRels: {
    name: 'xl/_rels/workbook.xml.rels',
    content: [
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' +
        '</Relationships>',
    ],
  },
} as const satisfies Record<string, ZipPart>;

const SHEET_START =
  '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_END = '</sheetData></worksheet>';

/** A worksheet: a header row `phone,name` and the given rows (each an array of inline-string cells). */
export function* sheet(rows: Iterable<Iterable<Buffer | string>>): Generator<Buffer | string> {
  yield SHEET_START;
  yield '<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>';
  let line = 2;
  for (const cells of rows) {
    yield `<row r="${line}">`;
    yield* cells;
    yield '</row>';
    line++;
  }
  yield SHEET_END;
}

/** One inline-string cell. */
export const cell = (reference: string, text: string) =>
  `<c r="${reference}" t="inlineStr"><is><t>${text}</t></is></c>`;
