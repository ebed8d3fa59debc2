/**
 * Budgets for a workbook, enforced on the compressed bytes before the XLSX reader sees them. An .xlsx file is a ZIP
 * archive of XML parts; 2 MB of it can inflate to a gigabyte (issue 15: a `sharedStrings.xml` of 1 GB ran the import
 * out of memory at 1,024 MiB, a 1 GB cell did the same to the API). The guard sits between the bytes and exceljs:
 * it follows the archive's local file headers, inflates every part itself (node:zlib, output counted and discarded)
 * and scans the XML as it streams, and only hands a chunk on once that chunk is within every budget. A chunk that
 * breaks one is never handed on: the reader stalls where it is and the import ends with the budget's code.
 *
 * The bytes are inflated twice (here and in the reader); inflating is fast next to parsing, and no other way lets
 * the reader keep streaming while nothing it parses can exceed a budget.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { constants, createInflateRaw, type InflateRaw } from 'node:zlib';
import { ListFormatError } from './list-format-error.ts';

/** What a workbook may inflate to. */
export interface WorkbookBudgets {
  /** Every part of the archive together, inflated. */
  maxDecompressedBytes: number;
  /** `xl/sharedStrings.xml`, inflated: the reader holds every shared string in memory. */
  maxSharedStringsBytes: number;
  /** Any other part that is not a worksheet (styles, workbook, relationships, …), inflated. */
  maxPartBytes: number;
  /** One cell's text (a worksheet cell or a shared string), as XML bytes. */
  maxCellBytes: number;
  /** Cells in one row. */
  maxColumns: number;
  /** Parts in the archive. */
  maxEntries: number;
}

/**
 * The defaults, sized for the import functions (512 MiB for the API, 1,024 MiB for the upload event): two million
 * rows of a few columns take about 600 MB of worksheet XML, which streams; what is held in memory (shared strings,
 * styles) stays far below the smaller of the two.
 */
export const DEFAULT_WORKBOOK_BUDGETS: WorkbookBudgets = {
  maxDecompressedBytes: 768 * 1024 * 1024,
  maxSharedStringsBytes: 64 * 1024 * 1024,
  maxPartBytes: 16 * 1024 * 1024,
  maxCellBytes: 32 * 1024,
  maxColumns: 1_000,
  maxEntries: 10_000,
};

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const DATA_DESCRIPTOR = 0x08074b50;
/** Compressed bytes given to the inflater at a time: at most ~64 MiB of output (deflate's 1:1032) per step. */
const FEED_BYTES = 64 * 1024;
const WORKSHEET = /^xl\/worksheets\/sheet\d+\.xml$/;
const SHARED_STRINGS = 'xl/sharedStrings.xml';
const MiB = 1024 * 1024;

type EntryKind = 'worksheet' | 'sharedStrings' | 'part';

interface Entry {
  name: string;
  kind: EntryKind;
  inflated: number;
  zip64: boolean;
  hasDescriptor: boolean;
  scanner: XmlScanner | undefined;
}

type State =
  | { kind: 'HEADER' }
  | { kind: 'STORED'; remaining: number }
  | { kind: 'DEFLATED'; remaining: number | undefined; inflater: InflateRaw }
  | { kind: 'DESCRIPTOR' }
  | { kind: 'PASS' };

/**
 * A pass-through stream for the bytes of an .xlsx file that refuses, as it streams, any workbook over the budgets.
 * Read `failure` alongside whatever consumes the stream: it rejects with a {@link ListFormatError} (codes
 * `WORKBOOK_TOO_LARGE`, `SHARED_STRINGS_TOO_LARGE`, `CELL_TOO_LONG`, `TOO_MANY_COLUMNS`, `MALFORMED_XLSX`) the moment
 * a budget is broken, and the stream then stops handing bytes on.
 */
export class ZipGuard extends Transform {
  /** Rejects when a budget is broken; never resolves. */
  readonly failure: Promise<never>;
  readonly #budgets: WorkbookBudgets;
  #reject: (error: ListFormatError) => void = () => undefined;
  #failed: ListFormatError | undefined;
  #state: State = { kind: 'HEADER' };
  /** Bytes of a header or descriptor still being collected. */
  #pending: Buffer = Buffer.alloc(0);
  #entry: Entry | undefined;
  #entries = 0;
  #inflatedTotal = 0;
  /** An error found while inflation was under way (thrown once the step is over). */
  #found: ListFormatError | undefined;

  constructor(budgets: WorkbookBudgets = DEFAULT_WORKBOOK_BUDGETS) {
    super();
    this.#budgets = budgets;
    this.failure = new Promise<never>((_resolve, reject) => {
      this.#reject = reject;
    });
    // Whoever does not await it must not see an unhandled rejection.
    this.failure.catch(() => undefined);
  }

  /** The budget broken, once one is. */
  get failed(): ListFormatError | undefined {
    return this.#failed;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#failed !== undefined) return;
    this.#inspect(chunk).then(
      () => callback(null, chunk),
      (error: unknown) => {
        // The callback is never called: nothing more reaches the reader, which stalls and is abandoned.
        this.#fail(
          error instanceof ListFormatError
            ? error
            : new ListFormatError('MALFORMED_XLSX', `the workbook cannot be read (${String(error)})`),
        );
      },
    );
  }

  #fail(error: ListFormatError): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    if (this.#state.kind === 'DEFLATED') this.#state.inflater.close();
    this.#reject(error);
  }

  async #inspect(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const state = this.#state;
      switch (state.kind) {
        case 'PASS':
          return;
        case 'HEADER':
          offset = this.#readHeader(chunk, offset);
          break;
        case 'DESCRIPTOR':
          offset = this.#readDescriptor(chunk, offset);
          break;
        case 'STORED': {
          const take = Math.min(state.remaining, chunk.length - offset);
          this.#inflated(chunk.subarray(offset, offset + take));
          state.remaining -= take;
          offset += take;
          if (state.remaining === 0) this.#endEntry();
          break;
        }
        case 'DEFLATED': {
          const available = chunk.length - offset;
          const size = Math.min(FEED_BYTES, state.remaining ?? available, available);
          const piece = chunk.subarray(offset, offset + size);
          const before = state.inflater.bytesWritten;
          state.inflater.write(piece);
          await new Promise<void>((resolve) => state.inflater.flush(constants.Z_SYNC_FLUSH, () => resolve()));
          if (this.#found !== undefined) throw this.#found;
          const consumed = state.inflater.bytesWritten - before;
          offset += consumed;
          if (state.remaining !== undefined) {
            state.remaining -= consumed;
            if (state.remaining === 0) this.#endEntry();
            else if (consumed < size) throw new ListFormatError('MALFORMED_XLSX', this.#broken('ends early'));
          } else if (consumed < size) {
            // The deflate stream ended inside the piece: the data descriptor follows.
            this.#endEntry();
          }
          break;
        }
      }
    }
  }

  /** Collects and reads one local file header (or sees the central directory begin). */
  #readHeader(chunk: Buffer, offset: number): number {
    const needed = (header: Buffer) =>
      header.length < 30 ? 30 : 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    let header = this.#pending;
    let at = offset;
    while (at < chunk.length) {
      const want = needed(header) - header.length;
      if (want <= 0) break;
      const take = chunk.subarray(at, at + want);
      header = header.length === 0 ? Buffer.from(take) : Buffer.concat([header, take]);
      at += take.length;
      if (header.length >= 4) {
        const signature = header.readUInt32LE(0);
        if (
          signature === CENTRAL_DIRECTORY_HEADER ||
          signature === END_OF_CENTRAL_DIRECTORY ||
          signature === ZIP64_END_OF_CENTRAL_DIRECTORY
        ) {
          // Every part has been seen: the rest is the archive's directory.
          this.#pending = Buffer.alloc(0);
          this.#state = { kind: 'PASS' };
          return chunk.length;
        }
        if (signature !== LOCAL_FILE_HEADER) {
          throw new ListFormatError('MALFORMED_XLSX', 'the workbook is not a well-formed ZIP archive');
        }
      }
    }
    if (header.length < needed(header)) {
      this.#pending = header;
      return chunk.length;
    }
    this.#pending = Buffer.alloc(0);
    this.#startEntry(header);
    return at;
  }

  #startEntry(header: Buffer): void {
    this.#entries++;
    if (this.#entries > this.#budgets.maxEntries) {
      throw new ListFormatError('WORKBOOK_TOO_LARGE', `the workbook has more than ${this.#budgets.maxEntries} parts`);
    }
    const flags = header.readUInt16LE(6);
    const method = header.readUInt16LE(8);
    let compressed = header.readUInt32LE(18);
    const nameLength = header.readUInt16LE(26);
    const name = header.subarray(30, 30 + nameLength).toString('utf8');
    const extra = header.subarray(30 + nameLength);
    let zip64 = false;
    for (let at = 0; at + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(at);
      const size = extra.readUInt16LE(at + 2);
      if (id === 0x0001) {
        zip64 = true;
        // Uncompressed size, then compressed size, each 8 bytes, present when the 32-bit field is 0xFFFFFFFF.
        if (compressed === 0xffffffff && at + 4 + 16 <= extra.length) {
          compressed = Number(extra.readBigUInt64LE(at + 4 + (header.readUInt32LE(22) === 0xffffffff ? 8 : 0)));
        }
      }
      at += 4 + size;
    }
    const hasDescriptor = (flags & 0x08) !== 0;
    const kind: EntryKind = WORKSHEET.test(name) ? 'worksheet' : name === SHARED_STRINGS ? 'sharedStrings' : 'part';
    const xml = name.endsWith('.xml') || name.endsWith('.rels');
    this.#entry = {
      name,
      kind,
      inflated: 0,
      zip64,
      hasDescriptor,
      scanner: xml ? new XmlScanner(kind, this.#budgets) : undefined,
    };
    if (method === 0) {
      if (hasDescriptor) {
        throw new ListFormatError('MALFORMED_XLSX', this.#broken('is stored without its size'));
      }
      this.#state = { kind: 'STORED', remaining: compressed };
      if (compressed === 0) this.#endEntry();
      return;
    }
    if (method !== 8) {
      throw new ListFormatError('MALFORMED_XLSX', this.#broken(`uses compression method ${method}, not deflate`));
    }
    const inflater = createInflateRaw();
    inflater.on('data', (data: Buffer) => {
      if (this.#found !== undefined) return;
      try {
        this.#inflated(data);
      } catch (error) {
        this.#found = error instanceof ListFormatError ? error : new ListFormatError('MALFORMED_XLSX', String(error));
      }
    });
    inflater.on('error', (error: Error) => {
      this.#found ??= new ListFormatError('MALFORMED_XLSX', this.#broken(`cannot be inflated (${error.message})`));
    });
    this.#state = { kind: 'DEFLATED', remaining: hasDescriptor ? undefined : compressed, inflater };
    if (!hasDescriptor && compressed === 0) this.#endEntry();
  }

  /** Counts and scans inflated bytes of the current part. */
  #inflated(data: Buffer): void {
    const entry = this.#entry;
    if (entry === undefined) return;
    entry.inflated += data.length;
    this.#inflatedTotal += data.length;
    const budgets = this.#budgets;
    if (this.#inflatedTotal > budgets.maxDecompressedBytes) {
      throw new ListFormatError(
        'WORKBOOK_TOO_LARGE',
        `the workbook inflates to more than ${Math.round(budgets.maxDecompressedBytes / MiB)} MiB (at ${entry.name}): ` +
          'split the list into several files or save it as CSV',
      );
    }
    if (entry.kind === 'sharedStrings' && entry.inflated > budgets.maxSharedStringsBytes) {
      throw new ListFormatError(
        'SHARED_STRINGS_TOO_LARGE',
        `the workbook's text table (${SHARED_STRINGS}) inflates to more than ` +
          `${Math.round(budgets.maxSharedStringsBytes / MiB)} MiB: split the list or save it as CSV`,
      );
    }
    if (entry.kind === 'part' && entry.inflated > budgets.maxPartBytes) {
      throw new ListFormatError(
        'WORKBOOK_TOO_LARGE',
        `the workbook's part ${entry.name} inflates to more than ${Math.round(budgets.maxPartBytes / MiB)} MiB`,
      );
    }
    entry.scanner?.push(data);
  }

  #endEntry(): void {
    const state = this.#state;
    if (state.kind === 'DEFLATED') state.inflater.close();
    this.#state = this.#entry?.hasDescriptor === true ? { kind: 'DESCRIPTOR' } : { kind: 'HEADER' };
  }

  /** Skips a data descriptor: an optional signature, the CRC and both sizes (4 or 8 bytes each). */
  #readDescriptor(chunk: Buffer, offset: number): number {
    const sizes = this.#entry?.zip64 === true ? 16 : 8;
    const available = Buffer.concat([this.#pending, chunk.subarray(offset, offset + 4 + 4 + sizes)]);
    if (available.length < 4) {
      this.#pending = available;
      return chunk.length;
    }
    const length = (available.readUInt32LE(0) === DATA_DESCRIPTOR ? 4 : 0) + 4 + sizes;
    if (available.length < length) {
      this.#pending = available;
      return chunk.length;
    }
    const fromChunk = length - this.#pending.length;
    this.#pending = Buffer.alloc(0);
    this.#state = { kind: 'HEADER' };
    return offset + fromChunk;
  }

  #broken(what: string): string {
    return `the workbook's part ${this.#entry?.name ?? '?'} ${what}: open it in Excel and save it again`;
  }
}

const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
/** Longest tag (element with its attributes) a part may hold. */
const MAX_TAG_BYTES = 64 * 1024;
/** Bytes of a tag kept to read its name and row number. */
const TAG_HEAD_BYTES = 48;

/**
 * Scans a part's XML as it inflates, without parsing it: text between tags counts towards the current cell (a
 * worksheet's `<c>`, a shared string's `<si>`), tags are bounded, worksheet rows are counted with their cells, and
 * document type declarations (entity expansion) are refused.
 */
class XmlScanner {
  readonly #kind: EntryKind;
  readonly #budgets: WorkbookBudgets;
  #inTag = false;
  #tagLength = 0;
  #tagHead = '';
  /** Text bytes of the current cell or shared string. */
  #cellBytes = 0;
  #cellsInRow = 0;
  #row = 0;
  #strings = 0;

  constructor(kind: EntryKind, budgets: WorkbookBudgets) {
    this.#kind = kind;
    this.#budgets = budgets;
  }

  push(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      if (this.#inTag) {
        const end = data.indexOf(GREATER_THAN, at);
        const stop = end === -1 ? data.length : end;
        if (this.#tagHead.length < TAG_HEAD_BYTES) {
          this.#tagHead += data.toString('latin1', at, Math.min(stop, at + TAG_HEAD_BYTES - this.#tagHead.length));
        }
        this.#tagLength += stop - at;
        if (this.#tagLength > MAX_TAG_BYTES) {
          throw new ListFormatError(
            'MALFORMED_XLSX',
            `the workbook holds an XML tag of more than ${MAX_TAG_BYTES} bytes`,
          );
        }
        if (end === -1) return;
        this.#closeTag();
        at = end + 1;
      } else {
        const start = data.indexOf(LESS_THAN, at);
        const stop = start === -1 ? data.length : start;
        this.#text(stop - at);
        if (start === -1) return;
        this.#inTag = true;
        this.#tagLength = 0;
        this.#tagHead = '';
        at = start + 1;
      }
    }
  }

  #text(bytes: number): void {
    if (bytes === 0) return;
    this.#cellBytes += bytes;
    if (this.#cellBytes > this.#budgets.maxCellBytes) {
      const where =
        this.#kind === 'worksheet'
          ? ` (line ${this.#row})`
          : this.#kind === 'sharedStrings'
            ? ` (text ${this.#strings} of the workbook's text table)`
            : '';
      throw new ListFormatError(
        'CELL_TOO_LONG',
        `a cell holds more than ${Math.round(this.#budgets.maxCellBytes / 1024)} KiB of text${where}: no contact can ` +
          'hold that much; shorten it',
        this.#kind === 'worksheet' ? { line: this.#row } : {},
      );
    }
  }

  #closeTag(): void {
    this.#inTag = false;
    const head = this.#tagHead;
    if (head.startsWith('!DOCTYPE') || head.startsWith('!ENTITY')) {
      throw new ListFormatError('MALFORMED_XLSX', 'the workbook declares a document type, which no workbook needs');
    }
    const name = /^[A-Za-z_][\w.-]*(?::[\w.-]+)?/.exec(head)?.[0] ?? '';
    const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
    if (this.#kind === 'worksheet') {
      if (local === 'row') {
        const written = /\br="(\d+)"/.exec(head)?.[1];
        this.#row = written === undefined ? this.#row + 1 : Number(written);
        this.#cellsInRow = 0;
        this.#cellBytes = 0;
      } else if (local === 'c') {
        this.#cellBytes = 0;
        this.#cellsInRow++;
        if (this.#cellsInRow > this.#budgets.maxColumns) {
          throw new ListFormatError(
            'TOO_MANY_COLUMNS',
            `row ${this.#row} has more than ${this.#budgets.maxColumns} cells: a list needs a handful of columns`,
            { line: this.#row },
          );
        }
      }
    } else if (this.#kind === 'sharedStrings') {
      if (local === 'si') {
        this.#strings++;
        this.#cellBytes = 0;
      }
    } else {
      this.#cellBytes = 0;
    }
  }
}
