/**
 * Campaign definitions in DynamoDB. Each `PUT` writes a new version; the version is what answers
 * record, so a report can say which script a person heard.
 *
 * Items: `pk = CAMPAIGNS`, `sk = <campaignId>` (one partition, so listing is a single query).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Campaign, parseCampaign } from '../core/campaign.ts';
import { CAMPAIGNS_PARTITION, campaignKey } from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { queryAll } from './query-pages.ts';
import { isConditionFailure } from './transaction-errors.ts';

export interface StoredCampaign {
  campaign: Campaign;
  version: number;
  updatedAt: string;
}

export class CampaignStore {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  async get(campaignId: string): Promise<StoredCampaign | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: campaignKey(campaignId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toStored(Item);
  }

  async list(): Promise<StoredCampaign[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': CAMPAIGNS_PARTITION },
      },
      toStored,
    );
  }

  /**
   * Stores a validated definition as the next version. Concurrent writers cannot both win:
   * the write is conditional on the version it read.
   */
  async put(campaign: Campaign): Promise<StoredCampaign> {
    for (;;) {
      const current = await this.get(campaign.id);
      const version = (current?.version ?? 0) + 1;
      const updatedAt = new Date().toISOString();
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...campaignKey(campaign.id), definition: campaign, version, updatedAt },
            ConditionExpression: current === undefined ? 'attribute_not_exists(pk)' : 'version = :read',
            ...(current !== undefined && { ExpressionAttributeValues: { ':read': current.version } }),
          }),
        );
        return { campaign, version, updatedAt };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }
}

function toStored(item: Record<string, unknown>): StoredCampaign {
  return {
    campaign: parseCampaign(item.definition, `stored campaign ${String(item.sk)}`),
    version: Number(item.version),
    updatedAt: String(item.updatedAt),
  };
}

/** Default age of a cached definition; the contact-flow functions take theirs from `CAMPAIGN_CACHE_SECONDS`. */
export const CAMPAIGN_CACHE_MILLISECONDS = 30_000;
const cache = new Map<string, { loadedAt: number; value: StoredCampaign | undefined }>();

/**
 * A campaign as the calling path sees it: at most `maxAgeMilliseconds` (30 s) old, so a `PUT`
 * reaches the next calls within a minute without a DynamoDB read per call.
 */
export async function cachedCampaign(
  store: CampaignStore,
  campaignId: string,
  now = Date.now(),
  maxAgeMilliseconds = CAMPAIGN_CACHE_MILLISECONDS,
) {
  const hit = cache.get(campaignId);
  if (hit !== undefined && now - hit.loadedAt < maxAgeMilliseconds) return hit.value;
  const value = await store.get(campaignId);
  cache.set(campaignId, { loadedAt: now, value });
  return value;
}
