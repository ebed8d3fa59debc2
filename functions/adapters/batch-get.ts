/**
 * BatchGetItem for any number of keys: 100 keys per request (DynamoDB's limit), unprocessed keys asked for again
 * with backoff until every key has been answered.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { documentClient } from './aws-clients.ts';

type Key = Record<string, string>;
type Item = Record<string, unknown>;

const KEYS_PER_REQUEST = 100;
const MAX_ROUNDS = 10;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * The items that exist among `keys` (in no particular order), with strongly consistent reads.
 * @param projection - Attribute names to return (the key attributes are always among them), or `ALL`.
 * @throws Error when DynamoDB keeps leaving keys unprocessed after {@link MAX_ROUNDS} rounds.
 */
export async function batchGetItems(
  client: typeof documentClient,
  tableName: string,
  keys: readonly Key[],
  projection: readonly string[] | 'ALL' = [],
): Promise<Item[]> {
  const items: Item[] = [];
  const names = projection === 'ALL' ? [] : ['pk', 'sk', ...projection];
  const expression =
    projection === 'ALL'
      ? {}
      : {
          ProjectionExpression: names.map((_, index) => `#a${index}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#a${index}`, name])),
        };
  for (let start = 0; start < keys.length; start += KEYS_PER_REQUEST) {
    let pending: Key[] = keys.slice(start, start + KEYS_PER_REQUEST);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed ${round} times`);
      if (round > 0) await sleep(Math.random() * 25 * 2 ** round);
      const output = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ...expression } },
        }),
      );
      items.push(...(output.Responses?.[tableName] ?? []));
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return items;
}
