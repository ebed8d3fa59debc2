/** RunStore's tick record: the consecutive counters count ticks, the totals count refused dials, a tick counts once. */
import { describe, expect, it } from 'vitest';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { RunCounters } from '../../../functions/adapters/run-counters.ts';
import { RunStore } from '../../../functions/adapters/run-store.ts';
import { RecordingClient } from './recording-client.ts';

const asClient = (client: RecordingClient) => client as unknown as typeof documentClient;
const tick = {
  key: '0#7',
  at: new Date('2026-11-23T10:00:00Z'),
  dialRate: 2,
  throttles: 0,
  dialErrors: 0,
  due: 40,
  inFlight: 0,
};
const storeOn = (client: RecordingClient) =>
  new RunStore('table', new RunCounters('table', asClient(client)), asClient(client));

describe('RunStore.recordTick', () => {
  it('counts a tick whose twelve dials failed as one more tick in a row with dial errors', async () => {
    const client = new RecordingClient();

    await storeOn(client).recordTick('demo', '2026-11-23', { ...tick, dialErrors: 12 });

    const [update] = client.named('UpdateCommand');
    expect(update?.input.UpdateExpression).toContain(
      'consecutiveDialErrors = if_not_exists(consecutiveDialErrors, :zero) + :oneTick',
    );
    expect(update?.input.ExpressionAttributeValues).toMatchObject({ ':oneTick': 1, ':errors': 12 });
    expect(update?.input.UpdateExpression).toContain('ADD throttles :throttles, dialErrors :errors');
  });

  it('resets both runs of ticks on a clean tick', async () => {
    const client = new RecordingClient();

    await storeOn(client).recordTick('demo', '2026-11-23', tick);

    const [update] = client.named('UpdateCommand');
    expect(update?.input.UpdateExpression).toContain('consecutiveDialErrors = :zero');
    expect(update?.input.UpdateExpression).toContain('consecutiveThrottledTicks = :zero');
    expect(update?.input.ExpressionAttributeValues).not.toHaveProperty(':oneTick');
  });

  it('names the tick, so the same tick run again (a retry) is not counted twice', async () => {
    const client = new RecordingClient((command) =>
      command.name === 'UpdateCommand' && (command.input.Key as { sk: string }).sk === 'RUN'
        ? Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' })
        : {},
    );

    await storeOn(client).recordTick('demo', '2026-11-23', { ...tick, dialErrors: 3 });

    const [update] = client.named('UpdateCommand');
    expect(update?.input.ConditionExpression).toBe('attribute_not_exists(lastTick) OR lastTick <> :tick');
    expect(update?.input.ExpressionAttributeValues).toMatchObject({ ':tick': '0#7' });
  });
});
