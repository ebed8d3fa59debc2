/**
 * Reads every page of a DynamoDB query, following LastEvaluatedKey, so adapters state what they
 * query and how an item maps, not how paging works.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { documentClient } from './aws-clients.ts';

type Item = Record<string, unknown>;

/** Yields the items of each page in turn (one page in memory at a time). */
export async function* queryPages(client: typeof documentClient, input: QueryCommandInput): AsyncGenerator<Item[]> {
  let startKey: Item | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** Every item of a query, mapped. */
export async function queryAll<T>(
  client: typeof documentClient,
  input: QueryCommandInput,
  map: (item: Item) => T,
): Promise<T[]> {
  const results: T[] = [];
  for await (const items of queryPages(client, input)) results.push(...items.map(map));
  return results;
}
