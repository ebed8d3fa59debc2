/** AlertPublisher deduplicates: one SNS message per condition per period, against a conditional write. */
import { afterEach, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({
  items: new Map<string, { quietUntil: number; sentAt: string }>(),
  published: [] as unknown[],
  snsFailures: 0,
}));

interface CommandInput {
  Item?: { sk: string; quietUntil: number; sentAt: string };
  Key?: { sk: string };
  ExpressionAttributeValues: Record<string, number | string>;
}

vi.mock('../../../functions/adapters/aws-clients.ts', () => ({
  documentClient: {
    async send(command: { input: CommandInput }) {
      const { Item, Key, ExpressionAttributeValues } = command.input;
      if (Key !== undefined) {
        // DeleteCommand, conditional on the sentAt it wrote.
        if (state.items.get(Key.sk)?.sentAt === ExpressionAttributeValues[':sentAt']) state.items.delete(Key.sk);
        return {};
      }
      if (Item === undefined) throw new Error('unexpected command');
      const stored = state.items.get(Item.sk);
      if (stored !== undefined && stored.quietUntil > Number(ExpressionAttributeValues[':now'])) {
        const error = new Error('condition failed');
        error.name = 'ConditionalCheckFailedException';
        throw error;
      }
      state.items.set(Item.sk, { quietUntil: Item.quietUntil, sentAt: Item.sentAt });
      return {};
    },
  },
  snsClient: {
    async send(command: { input: unknown }) {
      if (state.snsFailures > 0) {
        state.snsFailures--;
        const error = new Error('Rate exceeded');
        error.name = 'ThrottledException';
        throw error;
      }
      state.published.push(command.input);
      return { MessageId: 'm' };
    },
  },
}));

const { AlertPublisher } = await import('../../../functions/adapters/alerts.ts');

afterEach(() => {
  state.items.clear();
  state.published.length = 0;
  state.snsFailures = 0;
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

  it('gives the condition back when SNS refuses the message, so the next occurrence alerts', async () => {
    const alerts = new AlertPublisher('table', 'arn:topic');
    const alert = { condition: 'leaked-leases', subject: 's', message: 'm', periodSeconds: 3_600 };
    const start = new Date('2026-11-23T10:00:00Z');
    state.snsFailures = 1;

    await expect(alerts.publish(alert, start)).rejects.toThrow('Rate exceeded');
    const retried = await alerts.publish(alert, new Date(start.getTime() + 60_000));
    const repeated = await alerts.publish(alert, new Date(start.getTime() + 120_000));

    expect([retried, repeated]).toEqual([true, false]);
    expect(state.published).toHaveLength(1);
  });
});
