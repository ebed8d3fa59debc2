/**
 * Answers count for the contact's current attempt only, and never create a run (issue 15: forged events recorded
 * answers for contacts never called and created run counters for dates with no run). A contact has a current
 * attempt only once a run dialled it, so the contact's condition alone keeps counters off runs that do not exist,
 * without a check on the run item that every answer would contend for.
 */
import { describe, expect, it } from 'vitest';
import { AnswerStore, type NewAnswer } from '../../../functions/adapters/answer-store.ts';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { bucketOf, runCountersKey } from '../../../functions/core/keys.ts';
import { RecordingClient } from './recording-client.ts';

const asClient = (client: RecordingClient) => client as unknown as typeof documentClient;
const answer: NewAnswer = {
  ref: { campaignId: 'demo', date: '2026-11-22', phone: '+48601234567', attempt: 2 },
  questionId: 'q1',
  key: '1',
  label: 'Yes',
  scriptVersion: 3,
  answeredAt: new Date('2026-11-22T10:00:00Z'),
  connectContactId: 'c-1',
  progress: { attempt: 2, questionsAnswered: 1, completed: false, optedOut: false },
};
const cancelled = (...codes: string[]) =>
  Object.assign(new Error('cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('AnswerStore.record', () => {
  it('writes the answer, the counters and the progress in one transaction, conditioned on the current attempt', async () => {
    const client = new RecordingClient();

    await expect(new AnswerStore('table', 90, asClient(client)).record(answer)).resolves.toBe('RECORDED');

    const [transaction] = client.named('TransactWriteCommand');
    const items = transaction?.input.TransactItems as Array<
      Record<string, { ConditionExpression?: string; Key?: { pk: string; sk: string } }>
    >;
    expect(items.map((item) => (item.Put ?? item.Update)?.ConditionExpression)).toEqual([
      'attribute_not_exists(pk)',
      undefined,
      'attribute_exists(answers) AND attempts = :attempt',
    ]);
    // The counters of the contact's bucket, not the run item.
    expect(items[1]?.Update?.Key).toEqual(runCountersKey('demo', '2026-11-22', bucketOf('+48601234567')));
  });

  it.each([
    ['a contact never called, or called again since', ['None', 'None', 'ConditionalCheckFailed']],
    ['a date with no run (no contact was dialled there)', ['None', 'None', 'ConditionalCheckFailed']],
  ])('records nothing for %s', async (_case, codes) => {
    const client = new RecordingClient(() => cancelled(...codes));

    await expect(new AnswerStore('table', 90, asClient(client)).record(answer)).resolves.toBe('NOT_CURRENT');
    expect(client.named('TransactWriteCommand')).toHaveLength(1);
  });

  it("answers DUPLICATE for Connect's retry of a recorded answer", async () => {
    const client = new RecordingClient(() => cancelled('ConditionalCheckFailed', 'None', 'None'));

    await expect(new AnswerStore('table', 90, asClient(client)).record(answer)).resolves.toBe('DUPLICATE');
  });

  it("writes an opt-out's progress for the current attempt only", async () => {
    const client = new RecordingClient();

    await new AnswerStore('table', 90, asClient(client)).recordProgress(answer.ref, {
      ...answer.progress,
      optedOut: true,
    });

    expect(client.named('UpdateCommand')[0]?.input.ConditionExpression).toBe(
      'attribute_exists(pk) AND attempts = :attempt',
    );
  });
});
