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

/**
 * Merges sources that each yield items in ascending `keyOf` order into one ascending stream, reading each source
 * as it is needed (a run's contacts are spread over bucket partitions, each sorted by phone; an export wants them
 * all in phone order).
 */
export async function* mergeSorted<T>(
  sources: ReadonlyArray<AsyncIterable<T>>,
  keyOf: (item: T) => string,
): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const heads = await Promise.all(iterators.map((iterator) => iterator.next()));
  for (;;) {
    let smallest = -1;
    let smallestKey = '';
    heads.forEach((head, index) => {
      if (head.done) return;
      const key = keyOf(head.value);
      if (smallest < 0 || key < smallestKey) {
        smallest = index;
        smallestKey = key;
      }
    });
    if (smallest < 0) return;
    const head = heads[smallest];
    const iterator = iterators[smallest];
    if (head === undefined || head.done || iterator === undefined) return;
    yield head.value;
    heads[smallest] = await iterator.next();
  }
}

/** The items of a query, one at a time, page after page. */
export async function* queryItems(client: typeof documentClient, input: QueryCommandInput): AsyncGenerator<Item> {
  for await (const items of queryPages(client, input)) yield* items;
}
