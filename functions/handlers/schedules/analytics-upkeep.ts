/**
 * Scheduled upkeep of the analytics facts: compacts each recent partition's batch files into segments and deletes
 * partitions whose run date is past the retention period (functions/use-cases/analytics/compact-facts.ts). One at a
 * time (reserved concurrency 1); every step can be repeated, so a run cut short is finished by the next one.
 */
import { randomBytes } from 'node:crypto';
import { FactFiles } from '../../adapters/fact-files.ts';
import { CompactionEnvironmentSchema, parseSettings } from '../../lib/analytics-config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { upkeepFacts } from '../../use-cases/analytics/compact-facts.ts';

const settings = parseSettings(CompactionEnvironmentSchema);
const ports = {
  files: new FactFiles(settings.REPORTS_BUCKET),
  now: () => Date.now(),
  newFileId: () => randomBytes(6).toString('hex'),
};

/** Run dates compacted: a run's facts arrive on its day and shortly after (late events, follow-ups). */
const COMPACT_DAYS = 7;

export const handler = lambdaHandler(async () => {
  const report = await upkeepFacts(ports, {
    clockMarginMs: settings.ANALYTICS_CLOCK_MARGIN_SECONDS * 1000,
    settleMs: settings.ANALYTICS_SETTLE_SECONDS * 1000,
    retentionDays: settings.RETENTION_DAYS,
    compactDays: COMPACT_DAYS,
  });
  for (const partition of report.compacted) logger.info('facts compacted', { ...partition });
  for (const partition of report.expired) logger.info('facts past retention deleted', { ...partition });
  return { compacted: report.compacted.length, expired: report.expired.length };
});
