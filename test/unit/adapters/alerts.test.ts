/** AlertPublisher deduplicates: one SNS message per condition per period, against a conditional write. */
import { afterEach, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ items: new Map<string, number>(), published: [] as unknown[] }));

vi.mock('../../../functions/adapters/aws-clients.ts', () => ({
  documentClient: {
    async send(command: {
      input: { Item: { sk: string; quietUntil: number }; ExpressionAttributeValues: { ':now': number } };
    }) {
      const { Item, ExpressionAttributeValues } = command.input;
      const quietUntil = state.items.get(Item.sk);
      if (quietUntil !== undefined && quietUntil > ExpressionAttributeValues[':now']) {
        const error = new Error('condition failed');
        error.name = 'ConditionalCheckFailedException';
        throw error;
      }
      state.items.set(Item.sk, Item.quietUntil);
      return {};
    },
  },
  snsClient: {
    async send(command: { input: unknown }) {
      state.published.push(command.input);
      return { MessageId: 'm' };
    },
  },
}));

const { AlertPublisher } = await import('../../../functions/adapters/alerts.ts');

afterEach(() => {
  state.items.clear();
  state.published.length = 0;
});

describe('AlertPublisher', () => {
  it('sends one message per condition per period, however often the condition repeats', async () => {
    const alerts = new AlertPublisher('table', 'arn:topic');
    const alert = { condition: 'dispatch-errors#demo#2026-11-23', subject: 's', message: 'm', periodSeconds: 600 };
    const start = new Date('2026-11-23T10:00:00Z');

    const sent = [];
    for (let minute = 0; minute < 10; minute++)
      sent.push(await alerts.publish(alert, new Date(start.getTime() + minute * 60_000)));
    sent.push(await alerts.publish(alert, new Date(start.getTime() + 600_000)));
    sent.push(await alerts.publish({ ...alert, condition: 'connect-throttling' }, start));

    expect(sent).toEqual([true, false, false, false, false, false, false, false, false, false, true, true]);
    expect(state.published).toHaveLength(3);
  });
});
