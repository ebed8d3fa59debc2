/**
 * Campaign definitions API:
 * - GET /campaigns: every campaign with its version.
 * - GET /campaigns/{campaignId}: one definition.
 * - PUT /campaigns/{campaignId}: validate and store a new version (400 lists every problem by path).
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { campaignSchemaFor } from '../../core/campaign.ts';
import { environment } from '../../lib/config.ts';
import { badRequest, httpHandler, json, jsonBody, notFound, parseRequest } from '../../lib/http.ts';

const store = new CampaignStore(environment(['TABLE_NAME']).TABLE_NAME);
/** Built on first use: only `put` needs the stage's limits (and only its function has them in its environment). */
let putSchema: ReturnType<typeof campaignSchemaFor> | undefined;
const PathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });

export const list = httpHandler(async () => {
  const campaigns = await store.list();
  return json(200, {
    campaigns: campaigns.map(({ campaign, version, updatedAt }) => ({
      id: campaign.id,
      name: campaign.name,
      version,
      updatedAt,
    })),
  });
});

export const get = httpHandler(async (event) => {
  const { campaignId } = parseRequest(PathSchema, event.pathParameters, 'path');
  const stored = await store.get(campaignId);
  if (stored === undefined) throw notFound(`campaign "${campaignId}" does not exist`);
  return json(200, { ...stored.campaign, version: stored.version, updatedAt: stored.updatedAt });
});

export const put = httpHandler(async (event) => {
  const { campaignId } = parseRequest(PathSchema, event.pathParameters, 'path');
  const body = jsonBody(event);
  putSchema ??= campaignSchemaFor({
    minRetryDelaySeconds: environment(['MIN_RETRY_DELAY_SECONDS']).MIN_RETRY_DELAY_SECONDS,
  });
  const campaign = parseRequest(putSchema, body, 'body');
  if (campaign.id !== campaignId) {
    throw badRequest('the definition is for another campaign', [
      { path: 'body.id', message: `must be "${campaignId}" (the path's campaign id)` },
    ]);
  }
  const stored = await store.put(campaign);
  return json(200, { ...stored.campaign, version: stored.version, updatedAt: stored.updatedAt });
});
