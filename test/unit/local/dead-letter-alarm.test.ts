/** The local CloudWatch alarm on the dead-letter "queue": one notification per transition into ALARM. */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceRenderer } from '../../../local/cloudformation-references.cjs';
import { queueDepthAlarms, startDeadLetterAlarm } from '../../../local/dead-letter-alarm.ts';

const resources = {
  AlertsTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'engine-local-alerts' } },
  CallEventsDeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'engine-local-call-events-dlq' } },
  CallEventsDeadLetterAlarm: {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: 'engine-local-call-events-dlq',
      AlarmDescription: 'Contact events landed in the dead-letter queue. Next step: read them.',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['CallEventsDeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlertsTopic' }],
    },
  },
  // Not on a queue: left to AWS.
  RunExecutionsFailedAlarm: {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { AlarmName: 'run-failed', Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' },
  },
};

const renderer = createReferenceRenderer({
  service: 'engine',
  stage: 'local',
  region: 'eu-west-1',
  resources,
  stateMachines: {},
  functions: [],
});

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

type Publish = Parameters<typeof startDeadLetterAlarm>[0]['publish'];

function watch(refusals = 0) {
  const directory = mkdtempSync(join(tmpdir(), 'dead-letter-alarm-'));
  directories.push(directory);
  const file = join(directory, 'connect-dead-letters.jsonl');
  const [alarm] = queueDepthAlarms(resources, renderer.render);
  if (alarm === undefined) throw new Error('no queue alarm found');
  const published: Array<{ topicArn: string; subject: string; message: string }> = [];
  const watcher = startDeadLetterAlarm({
    alarm,
    file,
    region: 'eu-west-1',
    accountId: '000000000000',
    publish: (async (topicArn, notification) => {
      if (refusals-- > 0) throw new Error('SNS unavailable');
      published.push({ topicArn, ...notification });
    }) satisfies Publish,
    everyMs: 3_600_000,
  });
  const deadLetter = () => appendFileSync(file, `${JSON.stringify({ failedAt: new Date().toISOString() })}\n`);
  return { file, watcher, published, deadLetter };
}

describe('local dead-letter alarm', () => {
  it('finds the alarms on a queue depth and renders their references to local names', () => {
    const alarms = queueDepthAlarms(resources, renderer.render);

    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      AlarmName: 'engine-local-call-events-dlq',
      Dimensions: [{ Name: 'QueueName', Value: 'engine-local-call-events-dlq' }],
      AlarmActions: ['arn:aws:sns:eu-west-1:000000000000:engine-local-alerts'],
    });
  });

  it('notifies once when the queue gets its first message, not again while it stays in ALARM', async () => {
    const { watcher, published, deadLetter } = watch();

    expect(await watcher.evaluate()).toBe('OK');
    deadLetter();
    expect(await watcher.evaluate()).toBe('ALARM');
    deadLetter();
    expect(await watcher.evaluate()).toBe('ALARM');
    watcher.stop();

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      topicArn: 'arn:aws:sns:eu-west-1:000000000000:engine-local-alerts',
      subject: 'ALARM: "engine-local-call-events-dlq" in EU (Ireland)',
    });
    const message = JSON.parse(published[0]?.message ?? '{}');
    expect(message).toMatchObject({
      AlarmName: 'engine-local-call-events-dlq',
      AlarmDescription: 'Contact events landed in the dead-letter queue. Next step: read them.',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Trigger: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 },
    });
    expect(message.NewStateReason).toMatch(/^Threshold Crossed: 1 datapoint \[1\.0 \(.*\)\] was greater than or equal/);
    expect(message.StateChangeTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('returns to OK when the queue is purged, and notifies again on the next message', async () => {
    const { file, watcher, published, deadLetter } = watch();
    deadLetter();
    await watcher.evaluate();

    writeFileSync(file, '');
    expect(await watcher.evaluate()).toBe('OK');
    deadLetter();
    expect(await watcher.evaluate()).toBe('ALARM');
    watcher.stop();

    expect(published.map((notification) => JSON.parse(notification.message).OldStateValue)).toEqual([
      'INSUFFICIENT_DATA',
      'OK',
    ]);
  });

  it('tries a notification SNS refused again at the next evaluation', async () => {
    const { watcher, published, deadLetter } = watch(1);
    deadLetter();

    await expect(watcher.evaluate()).rejects.toThrow('SNS unavailable');
    expect(await watcher.evaluate()).toBe('ALARM');
    expect(await watcher.evaluate()).toBe('ALARM');
    watcher.stop();

    expect(published).toHaveLength(1);
  });
});
