/**
 * PUT /campaigns/{campaignId}: validates and stores a new version of a definition (400 lists every problem by path):
 * the schema, then the stage's contact policy (the rules it is exempted from and the caller-ID pool it names must
 * exist) and the legal-hours table (its window, for every country it calls, unless overridden with a reason).
 * Audited, with the diff from the version before.
 */
import { z } from 'zod';
import { AuditLog } from '../../adapters/audit-log.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { definitionDiff } from '../../core/audit.ts';
import { campaignSchemaFor } from '../../core/campaign.ts';
import { campaignPolicyProblems } from '../../core/policy/contact-policy.ts';
import { legalHoursProblems } from '../../core/policy/legal-hours.ts';
import { auditedHttpHandler } from '../../lib/audit-trail.ts';
import { environment } from '../../lib/config.ts';
import { contactPolicyOf } from '../../lib/contact-policy.ts';
import { badRequest, json, jsonBody, parseRequest } from '../../lib/http.ts';

const settings = environment(['TABLE_NAME', 'STAGE', 'AUDIT_RETENTION_DAYS', 'MIN_RETRY_DELAY_SECONDS']);
const store = new CampaignStore(settings.TABLE_NAME);
const audit = new AuditLog(settings.TABLE_NAME, settings.AUDIT_RETENTION_DAYS, documentClient);
const contactPolicy = contactPolicyOf(settings.STAGE);
const putSchema = campaignSchemaFor({ minRetryDelaySeconds: settings.MIN_RETRY_DELAY_SECONDS });
const PathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });

export const put = auditedHttpHandler('CAMPAIGN_PUT', audit, async (event, _context, note) => {
  const { campaignId } = parseRequest(PathSchema, event.pathParameters, 'path');
  note.target = { campaignId };
  const body = jsonBody(event);
  const campaign = parseRequest(putSchema, body, 'body');
  if (campaign.id !== campaignId) {
    throw badRequest('the definition is for another campaign', [
      { path: 'body.id', message: `must be "${campaignId}" (the path's campaign id)` },
    ]);
  }
  const problems = [...campaignPolicyProblems(campaign, contactPolicy), ...legalHoursProblems(campaign)];
  if (problems.length > 0) {
    throw badRequest(
      'the definition breaks the contact policy or the legal calling hours',
      problems.map((problem) => ({ path: `body.${problem.path}`, message: problem.message })),
    );
  }
  const before = await store.get(campaignId);
  const stored = await store.put(campaign);
  const { diff, truncated } = definitionDiff(before?.campaign, stored.campaign);
  note.diff = diff;
  if (truncated) note.diffTruncated = true;
  note.details = { version: stored.version, ...(before !== undefined && { previousVersion: before.version }) };
  return json(200, { ...stored.campaign, version: stored.version, updatedAt: stored.updatedAt });
});
