/**
 * Reads the contacts that answers and follow-ups belong to (their items carry the phone number, not the contact's
 * key or list columns): one BatchGetItem per 100 contacts, only the attributes the facts use.
 */
import { contactKey } from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';

export interface ContactRef {
  campaignId: string;
  date: string;
  phone: string;
}

export const contactRefId = (ref: ContactRef): string => `${ref.campaignId}#${ref.date}#${ref.phone}`;

export class AnalyticsContacts {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  /** The contact items that exist among `refs`, by {@link contactRefId}, as stored (parse before use). */
  async lookup(refs: readonly ContactRef[]): Promise<Map<string, Record<string, unknown>>> {
    const unique = new Map(refs.map((ref) => [contactRefId(ref), ref]));
    const keys = [...unique.values()].map((ref) => contactKey(ref.campaignId, ref.date, ref.phone));
    const items = await batchGetItems(this.client, this.tableName, keys, [
      'contactKey',
      'status',
      'attributes',
      'listId',
      'timeZone',
    ]);
    const found = new Map<string, Record<string, unknown>>();
    for (const item of items) {
      const match = /^RUN#(.+?)#(\d{4}-\d{2}-\d{2})(?:#B\d{2})?$/.exec(String(item.pk));
      const phone = String(item.sk).replace(/^CONTACT#/, '');
      if (match?.[1] !== undefined && match[2] !== undefined) {
        found.set(contactRefId({ campaignId: match[1], date: match[2], phone }), item);
      }
    }
    return found;
  }
}
