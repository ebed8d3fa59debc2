/**
 * The latest-answers snapshot of a partition (docs/analytics.md, "Latest answers"): each contact's latest answer to
 * each question, over every answer in the partition's segments, written by compaction and backfill as
 * `analytics/latest_answers/campaign=<id>/date=<run date>/c-<snapshot time, ms>-<id>.parquet`.
 *
 * Queries read the partition's newest snapshot only, together with the answers of the batch files the `answers` view
 * still reads (the fresh ones), and keep per contact and question the answer of the highest attempt. That is exact
 * because a snapshot is written before the answer segment whose rows it holds: every segment row is in the newest
 * snapshot, and a fact in both the snapshot and a fresh batch file is the same fact (the latest of a set is the
 * latest whichever of its members appear twice).
 */

import { parseFactFileName } from './fact-files.ts';
import type { FactRow } from './facts.ts';

/** Per contact and question, the answer of the highest attempt (the first of equal ones). */
export function latestAnswerRows(rows: readonly FactRow[]): FactRow[] {
  const latest = new Map<string, FactRow>();
  for (const row of rows) {
    const id = `${String(row.contact_key)}\u0000${String(row.question_id)}`;
    const kept = latest.get(id);
    if (kept === undefined || Number(row.attempt) > Number(kept.attempt)) latest.set(id, row);
  }
  return [...latest.values()];
}

/** The snapshot files among a partition's file names, oldest first. */
export function snapshotFiles(fileNames: readonly string[]): Array<{ name: string; time: number }> {
  return fileNames
    .map((name) => ({ name, file: parseFactFileName(name) }))
    .filter((entry) => entry.file?.kind === 'segment')
    .map((entry) => ({ name: entry.name, time: entry.file?.time ?? 0 }))
    .sort((a, b) => a.time - b.time || a.name.localeCompare(b.name));
}

/**
 * What writing a new snapshot into a partition does: its time (after every existing one, so queries take it as the
 * newest), and the snapshots to delete once it is written. The previous newest stays one round, so a query planned
 * over it still finds its file.
 */
export function planSnapshot(fileNames: readonly string[], now: number): { time: number; remove: string[] } {
  const snapshots = snapshotFiles(fileNames);
  const newest = snapshots.at(-1);
  return {
    time: newest === undefined ? now : Math.max(now, newest.time + 1),
    remove: snapshots.filter((snapshot) => newest !== undefined && snapshot.time < newest.time).map((s) => s.name),
  };
}
