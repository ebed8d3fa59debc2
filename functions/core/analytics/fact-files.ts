/**
 * How fact files are named, which rows of a partition a query sees, and what compaction may merge: the rules that
 * make each fact appear exactly once in every query result (docs/analytics.md, "Exactly once").
 *
 * A partition holds two kinds of Parquet files:
 * - batch files `b-<written at, ms>-<id>.parquet`, one per stream batch (or carried by compaction); a batch
 *   delivered twice or split on error writes its facts again, so batch files may repeat facts;
 * - segment files `c-<watermark, ms>-<id>.parquet`, written by compaction: each holds distinct facts, never held by
 *   another segment (append-only, never rewritten).
 *
 * The query views keep every segment row, and the batch rows of files written at or after the partition's newest
 * watermark, one row per fact key. Compaction at time T (watermark W = T - clock margin):
 * - merges the batch files written before W;
 * - puts their settled facts (recorded before T - settle time, which no later delivery can repeat) into a new
 *   segment, and carries the younger ones into a batch file named at W (still de-duplicated by the views);
 * - deletes batch files older than the previous watermark, which no query sees any more (one round later, so a
 *   query planned over them still finds them).
 */
import type { FactRow } from './facts.ts';

export type FactFileKind = 'batch' | 'segment';

const FILE_NAME = /^([bc])-(\d{13})-([a-z0-9]{1,32})\.parquet$/;

const stamp = (milliseconds: number): string => String(Math.max(0, Math.floor(milliseconds))).padStart(13, '0');

/** `b-<ms>-<id>.parquet`: a batch of facts written at `writtenAt`. */
export const batchFileName = (writtenAt: number, id: string): string => `b-${stamp(writtenAt)}-${id}.parquet`;

/** `c-<ms>-<id>.parquet`: a compacted segment with watermark `watermark`. */
export const segmentFileName = (watermark: number, id: string): string => `c-${stamp(watermark)}-${id}.parquet`;

/** Kind and time of a fact file name; undefined for anything else (such files are ignored and never deleted). */
export function parseFactFileName(name: string): { kind: FactFileKind; time: number } | undefined {
  const match = FILE_NAME.exec(name);
  if (match === null) return undefined;
  return { kind: match[1] === 'c' ? 'segment' : 'batch', time: Number(match[2]) };
}

/** The partition's watermark: the newest segment's, or 0 when it has none. */
export function partitionWatermark(fileNames: readonly string[]): number {
  let watermark = 0;
  for (const name of fileNames) {
    const file = parseFactFileName(name);
    if (file?.kind === 'segment' && file.time > watermark) watermark = file.time;
  }
  return watermark;
}

/** Whether the query views read a file (the same rule as the views' SQL, for compaction and tests). */
export function isVisible(fileName: string, watermark: number): boolean {
  const file = parseFactFileName(fileName);
  if (file === undefined) return false;
  return file.kind === 'segment' || file.time >= watermark;
}

export interface CompactionPlan {
  /** The new watermark; files written before it are merged. */
  watermark: number;
  /** Batch files merged into the new segment and the carried batch. */
  merge: string[];
  /** Batch files no query sees any more (merged by an earlier round). */
  remove: string[];
  /** Facts recorded before this are settled: no delivery can repeat them any more. */
  settledBefore: number;
}

/**
 * What compacting a partition now would do; undefined when there is nothing to merge.
 * @param clockMarginMs - How far writers' clocks may lag this one (a batch named earlier than it was written).
 * @param settleMs - Longest time a stream record can still be delivered after it was recorded (record age limit +
 *   function time-out + margin).
 */
export function planCompaction(
  fileNames: readonly string[],
  now: number,
  clockMarginMs: number,
  settleMs: number,
): CompactionPlan | undefined {
  const previous = partitionWatermark(fileNames);
  const watermark = now - clockMarginMs;
  const merge: string[] = [];
  const remove: string[] = [];
  for (const name of fileNames) {
    const file = parseFactFileName(name);
    if (file?.kind !== 'batch') continue;
    if (file.time < previous) remove.push(name);
    else if (file.time < watermark) merge.push(name);
  }
  if (merge.length === 0 && remove.length === 0) return undefined;
  return { watermark, merge, remove, settledBefore: now - settleMs };
}

/** Keeps the first row of each fact key (rows written twice are the same fact). */
export function distinctFacts(rows: readonly FactRow[], key: readonly string[]): FactRow[] {
  const seen = new Set<string>();
  const distinct: FactRow[] = [];
  for (const row of rows) {
    const id = key.map((column) => String(row[column])).join('\u0000');
    if (seen.has(id)) continue;
    seen.add(id);
    distinct.push(row);
  }
  return distinct;
}
