/**
 * Export jobs: one item per requested per-contact export, in its run's partition. The HTTP API creates it and
 * hands the work to the export worker; the worker claims it once, reports progress and writes the result; the API
 * reads it to answer "still running", "here is the link" or "it failed". Items expire after a week.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { exportJobKey } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import type { ExportJob, ExportJobs } from '../use-cases/reports/ports.ts';
import { documentClient } from './aws-clients.ts';
import { isConditionFailure } from './transaction-errors.ts';

export class ExportJobStore implements ExportJobs {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client = documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  async create(job: Pick<ExportJob, 'campaignId' | 'date' | 'exportId' | 'format' | 'filters'>, now: Date) {
    const created: ExportJob = { ...job, status: 'RUNNING', rows: 0, createdAt: now.toISOString() };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...exportJobKey(job.campaignId, job.date, job.exportId),
          ...created,
          // The job names an export of the run's personal data: it goes with the run's other items.
          expiresAt: personalDataExpiresAt(job.date, this.retentionDays),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return created;
  }

  async get(campaignId: string, date: string, exportId: string): Promise<ExportJob | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: exportJobKey(campaignId, date, exportId),
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...job } = Item;
    return job as ExportJob;
  }

  /**
   * Takes the job for one worker: false when another delivery of the same invocation already took it (Lambda
   * delivers asynchronous events at least once) or it has ended.
   */
  async claim(campaignId: string, date: string, exportId: string, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: exportJobKey(campaignId, date, exportId),
          UpdateExpression: 'SET startedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(startedAt) AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': now.toISOString(), ':running': 'RUNNING' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async progress(campaignId: string, date: string, exportId: string, rows: number): Promise<void> {
    await this.updateRunning(campaignId, date, exportId, 'SET #rows = :rows', { ':rows': rows });
  }

  async finish(
    campaignId: string,
    date: string,
    exportId: string,
    result: { key: string; fileName: string; rows: number; bytes: number },
    now: Date,
  ): Promise<void> {
    await this.updateRunning(
      campaignId,
      date,
      exportId,
      'SET #status = :done, #rows = :rows, #key = :key, fileName = :fileName, bytes = :bytes, finishedAt = :now',
      {
        ':done': 'DONE',
        ':rows': result.rows,
        ':key': result.key,
        ':fileName': result.fileName,
        ':bytes': result.bytes,
        ':now': now.toISOString(),
      },
    );
  }

  async fail(campaignId: string, date: string, exportId: string, message: string, now: Date): Promise<void> {
    await this.updateRunning(campaignId, date, exportId, 'SET #status = :failed, #error = :error, finishedAt = :now', {
      ':failed': 'FAILED',
      ':error': message,
      ':now': now.toISOString(),
    });
  }

  /** An update of a job still RUNNING: a job that has ended is never changed again. */
  private async updateRunning(
    campaignId: string,
    date: string,
    exportId: string,
    updateExpression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    // Reserved words among the attributes, named only when the expression uses them (DynamoDB refuses unused names).
    const names = Object.fromEntries(
      ['status', 'rows', 'key', 'error']
        .filter((name) => name === 'status' || updateExpression.includes(`#${name}`))
        .map((name) => [`#${name}`, name]),
    );
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: exportJobKey(campaignId, date, exportId),
        UpdateExpression: updateExpression,
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':running': 'RUNNING', ...values },
      }),
    );
  }
}
