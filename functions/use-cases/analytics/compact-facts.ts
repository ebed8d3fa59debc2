/**
 * Scheduled upkeep of the fact files:
 * - compaction: a partition's batch files (one per stream batch, so many small ones) are merged into segments,
 *   because Athena reads many small files up to 100× slower than a few large ones;
 * - retention: partitions whose run date is older than the retention period are deleted, whatever the age of their
 *   files (compaction rewrites rows into new objects, so S3 lifecycle, which counts from the write, is not enough).
 * The rules that keep every fact exactly once while files are merged are in core/analytics/fact-files.ts.
 */
import { DateTime } from 'luxon';
import {
  batchFileName,
  distinctFacts,
  partitionWatermark,
  planCompaction,
  segmentFileName,
} from '../../core/analytics/fact-files.ts';
import {
  FACT_TABLE_NAMES,
  FACT_TABLES,
  type FactTableName,
  partitionPrefix,
} from '../../core/analytics/fact-tables.ts';
import type { FactRow } from '../../core/analytics/facts.ts';

export interface FactObject {
  key: string;
  size: number;
}

export interface FactStorage {
  list(prefix: string): Promise<FactObject[]>;
  partitions(table: FactTableName): Promise<Array<{ campaignId: string; date: string }>>;
  read(table: FactTableName, key: string): Promise<FactRow[]>;
  write(
    table: FactTableName,
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

export interface UpkeepReport {
  compacted: Array<{ table: FactTableName; campaignId: string; date: string } & PartitionCompaction>;
  expired: Array<{ table: FactTableName; campaignId: string; date: string; files: number }>;
}

/** Compacts the recent partitions of every table and deletes the expired ones. */
export async function upkeepFacts(ports: CompactionPorts, settings: CompactionSettings): Promise<UpkeepReport> {
  const today = DateTime.fromMillis(ports.now(), { zone: 'UTC' }).startOf('day');
  const expiredBefore = today.minus({ days: settings.retentionDays }).toISODate() ?? '';
  const compactFrom = today.minus({ days: settings.compactDays }).toISODate() ?? '';
  const report: UpkeepReport = { compacted: [], expired: [] };
  for (const table of FACT_TABLE_NAMES) {
    for (const { campaignId, date } of await ports.files.partitions(table)) {
      if (date < expiredBefore) {
        const objects = await ports.files.list(partitionPrefix(table, campaignId, date));
        await ports.files.remove(objects.map((object) => object.key));
        report.expired.push({ table, campaignId, date, files: objects.length });
      } else if (date >= compactFrom) {
        const done = await compactPartition(ports, settings, table, campaignId, date);
        if (done !== undefined) report.compacted.push({ table, campaignId, date, ...done });
      }
    }
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
  await ports.files.write(table, campaignId, date, segmentFileName(watermark, ports.newFileId()), missing);
  return missing.length;
}
