/**
 * Keypad answers in DynamoDB, each counted exactly once: the answer item is put with
 * `attribute_not_exists` in the same TransactWriteItems as the run's counters and the contact's
 * progress, so the counters always equal the answer items, whatever Connect retries.
 *
 * Items (docs/data-model.md):
 * - answer: `RUN#<campaignId>#<date>` / `ANSWER#<phone>#<attempt>#<questionId>` with key, label,
 *   scriptVersion, answeredAt;
 * - run counters: `a_<questionId>_<key>` and `answersTotal` on the counters of the contact's bucket;
 * - contact: `answers.<questionId>` (the latest key) and `flow` (this attempt's progress, read by
 *   the call-ended handler to classify the outcome).
 */
import { TransactWriteCommand, type TransactWriteCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ANSWER_PREFIX, answerKey, contactKey, RUN_BUCKET_NUMBERS, runBucketPartition } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import { documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';
import { queryAll } from './query-pages.ts';
import { countersUpdate, RunCounters } from './run-counters.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

/** The contact attempt a call belongs to. */
export interface AnswerRef {
  campaignId: string;
  date: string;
  phone: string;
  attempt: number;
}

/** A call's progress through the script, as the contact's `flow` attribute holds it. */
export interface FlowProgressRecord {
  attempt: number;
  questionsAnswered: number;
  completed: boolean;
  optedOut: boolean;
  /** The callee asked for a person (`script.transfer`); absent on calls that did not. */
  transferred?: boolean;
}

export interface NewAnswer {
  ref: AnswerRef;
  questionId: string;
  key: string;
  label: string;
  /** Campaign version the question was asked under. */
  scriptVersion: number;
  answeredAt: Date;
  connectContactId: string;
  /** The attempt's progress including this answer. */
  progress: FlowProgressRecord;
}

export interface StoredAnswer {
  phone: string;
  attempt: number;
  questionId: string;
  key: string;
  label: string;
  scriptVersion: number;
  answeredAt: string;
}

/** Answer counters of a run: `{ total, byQuestion: { q1: { '1': 12, '2': 7 } } }`. */
export interface AnswerCounters {
  total: number;
  byQuestion: Record<string, Record<string, number>>;
}

/** Run-item attribute counting one answer key of one question (the key is a single character). */
export const answerCounter = (questionId: string, key: string): string => `a_${questionId}_${key}`;
const ANSWER_COUNTER = /^a_([a-z][a-z0-9_]*)_(.)$/;

export class AnswerStore {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client = documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  /**
   * Records an answer once. `DUPLICATE` means this (attempt, question) was recorded before (Connect
   * retried the invocation): nothing changed. `NOT_CURRENT` means the attempt is not the contact's
   * current one (a later attempt started, or the contact or its run does not exist): nothing is
   * written, so no forged or stale answer reaches the counters.
   */
  async record(answer: NewAnswer): Promise<'RECORDED' | 'DUPLICATE' | 'NOT_CURRENT'> {
    return retryContention(
      async ({ clientRequestToken }) => {
        try {
          await this.client.send(
            new TransactWriteCommand({
              ClientRequestToken: clientRequestToken,
              TransactItems: this.transaction(answer),
            }),
          );
          return 'RECORDED' as const;
        } catch (error) {
          const reasons = cancellationReasons(error);
          if (reasons[0] === 'ConditionalCheckFailed') return 'DUPLICATE' as const;
          if (reasons[2] === 'ConditionalCheckFailed') return 'NOT_CURRENT' as const;
          throw error;
        }
      },
      { what: 'record answer' },
    );
  }

  /** Writes the attempt's progress alone (an opt-out ends the script without an answer), for the current attempt only. */
  async recordProgress(ref: AnswerRef, progress: FlowProgressRecord): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: contactKey(ref.campaignId, ref.date, ref.phone),
          UpdateExpression: 'SET #flow = :flow',
          ConditionExpression: 'attribute_exists(pk) AND attempts = :attempt',
          ExpressionAttributeNames: { '#flow': 'flow' },
          ExpressionAttributeValues: { ':flow': progress, ':attempt': ref.attempt },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /** Every answer of a run (reports, tests). */
  async answersOfRun(campaignId: string, date: string): Promise<StoredAnswer[]> {
    const buckets = await Promise.all(
      RUN_BUCKET_NUMBERS.map((bucket) => this.answersOfBucket(campaignId, date, bucket)),
    );
    return buckets.flat();
  }

  private answersOfBucket(campaignId: string, date: string, bucket: number): Promise<StoredAnswer[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runBucketPartition(campaignId, date, bucket), ':prefix': ANSWER_PREFIX },
        ConsistentRead: true,
      },
      (item) => ({
        phone: String(item.phone),
        attempt: Number(item.attempt),
        questionId: String(item.questionId),
        key: String(item.key),
        label: String(item.label),
        scriptVersion: Number(item.scriptVersion),
        answeredAt: String(item.answeredAt),
      }),
    );
  }

  /** The run's answer counters (one read, whatever the number of answers). */
  async countersOfRun(campaignId: string, date: string): Promise<AnswerCounters> {
    const totals = await new RunCounters(this.tableName, this.client).totals(campaignId, date);
    const counters: AnswerCounters = { total: Number(totals.answersTotal ?? 0), byQuestion: {} };
    for (const [name, value] of Object.entries(totals)) {
      const match = ANSWER_COUNTER.exec(name);
      if (match === null || typeof value !== 'number') continue;
      const [, questionId = '', key = ''] = match;
      counters.byQuestion[questionId] = { ...counters.byQuestion[questionId], [key]: value };
    }
    return counters;
  }

  private transaction(answer: NewAnswer): NonNullable<TransactWriteCommandInput['TransactItems']> {
    const { ref } = answer;
    const expiresAt = personalDataExpiresAt(ref.date, this.retentionDays);
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...answerKey(ref.campaignId, ref.date, ref.phone, ref.attempt, answer.questionId),
            campaignId: ref.campaignId,
            date: ref.date,
            phone: ref.phone,
            attempt: ref.attempt,
            questionId: answer.questionId,
            key: answer.key,
            label: answer.label,
            scriptVersion: answer.scriptVersion,
            answeredAt: answer.answeredAt.toISOString(),
            connectContactId: answer.connectContactId,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // The counters of the contact's bucket. A contact whose current attempt is this one exists only in a run that
      // was opened and dialled it, so no forged event creates counters for a run that does not exist.
      countersUpdate(this.tableName, ref.campaignId, ref.date, ref.phone, {
        [answerCounter(answer.questionId, answer.key)]: 1,
        answersTotal: 1,
      }),
      {
        Update: {
          TableName: this.tableName,
          Key: contactKey(ref.campaignId, ref.date, ref.phone),
          UpdateExpression: 'SET answers.#question = :key, #flow = :flow',
          // Answers count for the contact's current attempt only: not for a contact never called, nor a stale call.
          ConditionExpression: 'attribute_exists(answers) AND attempts = :attempt',
          ExpressionAttributeNames: { '#question': answer.questionId, '#flow': 'flow' },
          ExpressionAttributeValues: { ':key': answer.key, ':flow': answer.progress, ':attempt': ref.attempt },
        },
      },
    ];
  }
}
