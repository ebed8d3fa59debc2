/**
 * Campaign definitions API, reading (storing a definition is campaign-put.ts):
 * - GET /campaigns: every campaign with its version.
 * - GET /campaigns/{campaignId}: one definition.
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { environment } from '../../lib/config.ts';
import { httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';

const store = new CampaignStore(environment(['TABLE_NAME']).TABLE_NAME);
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
