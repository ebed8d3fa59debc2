import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { contactKey, runKey } from '../../../functions/core/keys.ts';
import { FLUSH_INTERVAL_MS, RunUsageRecorder, recordingRunUsage } from '../../../functions/lib/run-usage.ts';
import { attributeToRun, countForInvocation, meterDynamoDb, UsageMeter } from '../../../functions/lib/usage-meter.ts';

/** A DynamoDB client whose "network" answers every request with one consumed unit: no I/O. */
function fakeDocuments(meter: UsageMeter) {
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: {
      handle: async () => {
        const { Readable } = await import('node:stream');
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([
              Buffer.from(JSON.stringify({ ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } })),
            ]),
          },
        };
      },
    } as never,
  });
  meterDynamoDb(client, meter);
  return DynamoDBDocumentClient.from(client);
}

const context = (functionName: string, memoryLimitInMB = '512') => ({ functionName, memoryLimitInMB }) as Context;

function sink() {
  const writes: Array<{ campaignId: string; date: string; counters: Record<string, number> }> = [];
  let failing = false;
  return {
    writes,
    fail: (value: boolean) => {
      failing = value;
    },
    addRunUsage: async (campaignId: string, date: string, counters: Readonly<Record<string, number>>) => {
      if (failing) throw new Error('throttled');
      writes.push({ campaignId, date, counters: { ...counters } });
    },
  };
}

describe('run usage', () => {
  it('books an invocation to the runs it wrote, not the ones it only read, with its billed time', async () => {
    const meter = new UsageMeter({ writeLine: () => undefined });
    const documents = fakeDocuments(meter);
    const store = sink();
    let now = 0;
    const recorder = new RunUsageRecorder(store, () => now);
    const handler = recordingRunUsage(recorder, async (phone: string) => {
      await documents.send(new GetCommand({ TableName: 't', Key: runKey('other', '2026-03-02') }));
      await documents.send(new PutCommand({ TableName: 't', Item: { ...contactKey('demo', '2026-03-02', phone) } }));
      countForInvocation({ stateTransitions: 3 });
      return 'done';
    });

    expect(await handler('+48600000001', context('campaign-engine-dev-callEnded'))).toBe('done');
    // The first invocation starts the run's interval: nothing written yet.
    expect(store.writes).toEqual([]);
    now += FLUSH_INTERVAL_MS;
    await handler('+48600000002', context('campaign-engine-dev-callEnded'));

    expect(store.writes).toHaveLength(1);
    const [write] = store.writes;
    expect(write).toMatchObject({ campaignId: 'demo', date: '2026-03-02' });
    expect(write?.counters).toMatchObject({ u_ddb_r: 2, u_ddb_w: 2, u_sfn: 6, u_fn_callEnded_n: 2 });
    expect(write?.counters.u_fn_callEnded_ms).toBeGreaterThanOrEqual(2);
    expect(write?.counters.u_fn_callEnded_mbms).toBe((write?.counters.u_fn_callEnded_ms ?? 0) * 512);
  });

  it('splits an invocation between the runs it worked on, and keeps concurrent invocations apart', async () => {
    const meter = new UsageMeter({ writeLine: () => undefined });
    const documents = fakeDocuments(meter);
    const store = sink();
    let now = 0;
    const recorder = new RunUsageRecorder(store, () => now);
    const twoRuns = recordingRunUsage(recorder, async () => {
      attributeToRun('a', '2026-03-02');
      await documents.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: 't', Item: contactKey('b', '2026-03-02', '+48600000001') } }],
        }),
      );
    });
    const idle = recordingRunUsage(recorder, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      attributeToRun('c', '2026-03-02');
    });
    await Promise.all([twoRuns(undefined, context('x-y-dispatch')), idle(undefined, context('x-y-runReport'))]);
    now += FLUSH_INTERVAL_MS;
    await recordingRunUsage(recorder, async () => undefined)(undefined, context('x-y-other'));

    const byRun = Object.fromEntries(store.writes.map((write) => [write.campaignId, write.counters]));
    // The transaction's 2 units (at least 2 per item), half to each run it worked on.
    expect(byRun.a?.u_ddb_w).toBe(1);
    expect(byRun.b?.u_ddb_w).toBe(1);
    expect(byRun.a?.u_fn_dispatch_n).toBe(0.5);
    expect(byRun.c).toMatchObject({ u_fn_runReport_n: 1 });
    expect(byRun.c?.u_ddb_w).toBeUndefined();
  });

  it('keeps the usage of a failed write for the next one: nothing lost, the handler unaffected', async () => {
    const store = sink();
    let now = 0;
    const recorder = new RunUsageRecorder(store, () => now);
    const handler = recordingRunUsage(recorder, async () => {
      attributeToRun('demo', '2026-03-02');
      return 1;
    });
    store.fail(true);
    now += FLUSH_INTERVAL_MS;
    await handler(undefined, context('x-y-dispatch'));
    now += FLUSH_INTERVAL_MS;
    expect(await handler(undefined, context('x-y-dispatch'))).toBe(1);
    store.fail(false);
    now += FLUSH_INTERVAL_MS;
    await handler(undefined, context('x-y-dispatch'));
    const invocations = store.writes.reduce((sum, write) => sum + (write.counters.u_fn_dispatch_n ?? 0), 0);
    expect(invocations).toBe(3);
  });

  it("writes a run's usage at once when its last step says so", async () => {
    const store = sink();
    const recorder = new RunUsageRecorder(store, () => 0);
    await recordingRunUsage(recorder, async () => attributeToRun('demo', '2026-03-02'))(undefined, context('x-y-a'));
    expect(store.writes).toEqual([]);
    await recordingRunUsage(recorder, async () => attributeToRun('demo', '2026-03-02', { flushAtEnd: true }))(
      undefined,
      context('x-y-runReport'),
    );
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]?.counters).toMatchObject({ u_fn_a_n: 1, u_fn_runReport_n: 1 });
  });

  it('loses nothing a concurrent invocation adds while a write is on its way', async () => {
    let release: () => void = () => undefined;
    const writes: Array<Record<string, number>> = [];
    let now = 0;
    const recorder = new RunUsageRecorder(
      {
        addRunUsage: async (_campaignId, _date, counters) => {
          // The write's own request, carried to the run's next write.
          countForInvocation({ requests: { 's3:PutObject': 1 } });
          writes.push({ ...counters });
          if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
        },
      },
      () => now,
    );
    const handler = recordingRunUsage(recorder, async () => attributeToRun('demo', '2026-03-02'));
    await handler(undefined, context('x-y-a'));
    now += FLUSH_INTERVAL_MS;
    const slow = handler(undefined, context('x-y-a'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await handler(undefined, context('x-y-a'));
    release();
    await slow;
    now += 10 * FLUSH_INTERVAL_MS;
    await handler(undefined, context('x-y-a'));
    expect(writes.reduce((sum, counters) => sum + (counters.u_fn_a_n ?? 0), 0)).toBe(4);
  });

  it('records a handler that throws, and throws its error', async () => {
    const store = sink();
    let now = 0;
    const recorder = new RunUsageRecorder(store, () => now);
    const failing = recordingRunUsage(recorder, async () => {
      attributeToRun('demo', '2026-03-02');
      throw new Error('boom');
    });
    now += FLUSH_INTERVAL_MS;
    await expect(failing(undefined, context('x-y-dispatch'))).rejects.toThrow('boom');
    now += FLUSH_INTERVAL_MS;
    await recordingRunUsage(recorder, async () => undefined)(undefined, context('x-y-other'));
    expect(store.writes[0]?.counters.u_fn_dispatch_n).toBe(1);
  });
});
