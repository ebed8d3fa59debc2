/**
 * Scheduled upkeep of the fact files:
 * - compaction: a partition's batch files (one per stream batch, so many small ones) are merged into segments,
 *   because Athena reads many small files up to 100× slower than a few large ones;
 * - retention: partitions whose run date is older than the retention period are deleted, whatever the age of their
 *   files (compaction rewrites rows into new objects, so S3 lifecycle, which counts from the write, is not enough).
 * - latest answers: before an answer segment is written, the partition gets a new latest-answers snapshot holding
 *   its rows (core/analytics/latest-answers.ts), so the analyses of latest answers read one row per contact.
 * The rules that keep every fact exactly once while files are merged are in core/analytics/fact-files.ts.
 */
import { DateTime } from 'luxon';
import {
  batchFileName,
  distinctFacts,
  parseFactFileName,
  partitionWatermark,
  planCompaction,
  segmentFileName,
} from '../../core/analytics/fact-files.ts';
import {
  FACT_TABLE_NAMES,
  FACT_TABLES,
  type FactTableName,
  LATEST_ANSWERS,
  partitionPrefix,
  type StoredTableName,
} from '../../core/analytics/fact-tables.ts';
import type { FactRow } from '../../core/analytics/facts.ts';
import { latestAnswerRows, planSnapshot } from '../../core/analytics/latest-answers.ts';

export interface FactObject {
  key: string;
  size: number;
}

export interface FactStorage {
  list(prefix: string): Promise<FactObject[]>;
  partitions(table: StoredTableName): Promise<Array<{ campaignId: string; date: string }>>;
  read(table: StoredTableName, key: string): Promise<FactRow[]>;
  write(
    table: StoredTableName,
    campaignId: string,
    date: string,
    fileName: string,
    rows: readonly FactRow[],
  ): Promise<FactObject>;
  remove(keys: readonly string[]): Promise<void>;
}

export interface CompactionSettings {
  clockMarginMs: number;
  settleMs: number;
  retentionDays: number;
  /** Partitions of run dates this many days back (and later) are compacted; older ones only expire. */
  compactDays: number;
}

export interface CompactionPorts {
  files: FactStorage;
  now(): number;
  newFileId(): string;
}

export interface PartitionCompaction {
  merged: number;
  removed: number;
  segmentRows: number;
  carriedRows: number;
}

const fileNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** Compacts one partition now; undefined when there was nothing to do. */
export async function compactPartition(
  ports: CompactionPorts,
  settings: Pick<CompactionSettings, 'clockMarginMs' | 'settleMs'>,
  table: FactTableName,
  campaignId: string,
  date: string,
): Promise<PartitionCompaction | undefined> {
  const prefix = partitionPrefix(table, campaignId, date);
  const objects = await ports.files.list(prefix);
  const plan = planCompaction(
    objects.map((object) => fileNameOf(object.key)),
    ports.now(),
    settings.clockMarginMs,
    settings.settleMs,
  );
  if (plan === undefined) return undefined;
  // Merged by an earlier round: no query reads them any more.
  await ports.files.remove(plan.remove.map((name) => `${prefix}${name}`));
  const result = { merged: 0, removed: plan.remove.length, segmentRows: 0, carriedRows: 0 };
  if (plan.merge.length === 0) return result;

  const merged: FactRow[] = [];
  // In name order, as the views pick the first copy of a fact by path.
  for (const name of [...plan.merge].sort()) merged.push(...(await ports.files.read(table, `${prefix}${name}`)));
  const facts = distinctFacts(merged, FACT_TABLES[table].key);
  const settled = facts.filter((row) => recordedBefore(row, plan.settledBefore));
  if (settled.length === 0) return { ...result, merged: 0 };
  const young = facts.filter((row) => !recordedBefore(row, plan.settledBefore));
  // The carried batch first: until the segment exists the merged files stay visible, so nothing is missing meanwhile.
  if (young.length > 0) {
    await ports.files.write(table, campaignId, date, batchFileName(plan.watermark, ports.newFileId()), young);
  }
  // The snapshot before the segment: until the segment exists its rows are still in visible batch files.
  if (table === 'answers') await writeLatestAnswers(ports, campaignId, date, settled);
  await ports.files.write(table, campaignId, date, segmentFileName(plan.watermark, ports.newFileId()), settled);
  return {
    merged: plan.merge.length,
    removed: plan.remove.length,
    segmentRows: settled.length,
    carriedRows: young.length,
  };
}

function recordedBefore(row: FactRow, time: number): boolean {
  const recorded = row.recorded_at;
  return !(recorded instanceof Date) || recorded.getTime() < time;
}

/**
 * Writes a new latest-answers snapshot of a partition: the latest answer of each contact and question over every
 * answer segment of the partition and `adding` (the rows of a segment about to be written), then deletes the
 * snapshots older than the previous newest. Returns the snapshot's rows.
 */
export async function writeLatestAnswers(
  ports: CompactionPorts,
  campaignId: string,
  date: string,
  adding: readonly FactRow[],
): Promise<number> {
  const answersPrefix = partitionPrefix('answers', campaignId, date);
  const answers: FactRow[] = [];
  for (const object of await ports.files.list(answersPrefix)) {
    if (parseFactFileName(fileNameOf(object.key))?.kind === 'segment') {
      answers.push(...(await ports.files.read('answers', object.key)));
    }
  }
  answers.push(...adding);
  const prefix = partitionPrefix(LATEST_ANSWERS, campaignId, date);
  const plan = planSnapshot(
    (await ports.files.list(prefix)).map((object) => fileNameOf(object.key)),
    ports.now(),
  );
  const latest = latestAnswerRows(answers);
  await ports.files.write(LATEST_ANSWERS, campaignId, date, segmentFileName(plan.time, ports.newFileId()), latest);
  await ports.files.remove(plan.remove.map((name) => `${prefix}${name}`));
  return latest.length;
}

/** Whether a partition has answer segments but no latest-answers snapshot (compacted before snapshots existed). */
async function lacksSnapshot(ports: CompactionPorts, campaignId: string, date: string): Promise<boolean> {
  if ((await ports.files.list(partitionPrefix(LATEST_ANSWERS, campaignId, date))).length > 0) return false;
  const answers = await ports.files.list(partitionPrefix('answers', campaignId, date));
  return answers.some((object) => parseFactFileName(fileNameOf(object.key))?.kind === 'segment');
}

export interface UpkeepReport {
  compacted: Array<{ table: FactTableName; campaignId: string; date: string } & PartitionCompaction>;
  expired: Array<{ table: StoredTableName; campaignId: string; date: string; files: number }>;
  /** Partitions given their first latest-answers snapshot (compacted before snapshots existed). */
  snapshots: Array<{ campaignId: string; date: string; rows: number }>;
}

/** Compacts the recent partitions of every table and deletes the expired ones. */
export async function upkeepFacts(ports: CompactionPorts, settings: CompactionSettings): Promise<UpkeepReport> {
  const today = DateTime.fromMillis(ports.now(), { zone: 'UTC' }).startOf('day');
  const expiredBefore = today.minus({ days: settings.retentionDays }).toISODate() ?? '';
  const compactFrom = today.minus({ days: settings.compactDays }).toISODate() ?? '';
  const report: UpkeepReport = { compacted: [], expired: [], snapshots: [] };
  const expire = async (table: StoredTableName, campaignId: string, date: string) => {
    const objects = await ports.files.list(partitionPrefix(table, campaignId, date));
    await ports.files.remove(objects.map((object) => object.key));
    report.expired.push({ table, campaignId, date, files: objects.length });
  };
  for (const table of FACT_TABLE_NAMES) {
    for (const { campaignId, date } of await ports.files.partitions(table)) {
      if (date < expiredBefore) {
        await expire(table, campaignId, date);
        continue;
      }
      if (date >= compactFrom) {
        const done = await compactPartition(ports, settings, table, campaignId, date);
        if (done !== undefined) report.compacted.push({ table, campaignId, date, ...done });
      }
      if (table === 'answers' && (await lacksSnapshot(ports, campaignId, date))) {
        report.snapshots.push({ campaignId, date, rows: await writeLatestAnswers(ports, campaignId, date, []) });
      }
    }
  }
  // Snapshots go by run date like the facts they were built from (a partition left without answers included).
  for (const { campaignId, date } of await ports.files.partitions(LATEST_ANSWERS)) {
    if (date < expiredBefore) await expire(LATEST_ANSWERS, campaignId, date);
  }
  return report;
}

/**
 * Adds facts to a partition as a segment that does not move its watermark, leaving out the facts it already has
 * (backfill): the segment holds exactly the missing facts, so segments stay disjoint. Returns the rows added.
 */
export async function addMissingFacts(
  ports: CompactionPorts,
  table: FactTableName,
  campaignId: string,
  date: string,
  facts: readonly FactRow[],
): Promise<number> {
  const prefix = partitionPrefix(table, campaignId, date);
  const names = (await ports.files.list(prefix)).map((object) => fileNameOf(object.key));
  const watermark = partitionWatermark(names);
  const key = FACT_TABLES[table].key;
  const id = (row: FactRow) => key.map((column) => String(row[column])).join('\u0000');
  const present = new Set<string>();
  for (const name of names) {
    // Every file, visible or not: a fact in a file about to be merged is not missing.
    for (const row of await ports.files.read(table, `${prefix}${name}`)) present.add(id(row));
  }
  const missing = distinctFacts(facts, key).filter((row) => !present.has(id(row)));
  if (missing.length === 0) return 0;
  // As in compaction, the snapshot holds a segment's answers before the segment exists.
  if (table === 'answers') await writeLatestAnswers(ports, campaignId, date, missing);
  await ports.files.write(table, campaignId, date, segmentFileName(watermark, ports.newFileId()), missing);
  return missing.length;
}
