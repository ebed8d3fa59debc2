/**
 * The local CloudWatch alarm on the contact-event dead-letter queue.
 *
 * In AWS, contact events that the call-ended function fails on every retry go to an SQS queue (its
 * on-failure destination), and the alarm serverless.yml declares on that queue's
 * `ApproximateNumberOfMessagesVisible` publishes a notification to the alerts topic when it goes
 * into ALARM, and nothing more while it stays there. Locally the queue is the Connect simulator's
 * dead-letter file (one JSON line per event): this evaluates its depth every period, as CloudWatch
 * evaluates the metric, and publishes CloudWatch's notification (subject and JSON message) to the
 * local SNS endpoint on each transition into ALARM. Emptying the file, like purging the queue,
 * brings the alarm back to OK.
 */
import { readFile } from 'node:fs/promises';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';

/** The alarm properties this evaluates, from an `AWS::CloudWatch::Alarm` whose references were rendered. */
export const QueueAlarmSchema = z.object({
  AlarmName: z.string(),
  AlarmDescription: z.string().default(''),
  Namespace: z.literal('AWS/SQS'),
  MetricName: z.literal('ApproximateNumberOfMessagesVisible'),
  Dimensions: z.array(z.object({ Name: z.string(), Value: z.string() })).default([]),
  Statistic: z.string().default('Maximum'),
  Period: z.number(),
  EvaluationPeriods: z.number(),
  Threshold: z.number(),
  ComparisonOperator: z.enum([
    'GreaterThanOrEqualToThreshold',
    'GreaterThanThreshold',
    'LessThanThreshold',
    'LessThanOrEqualToThreshold',
  ]),
  TreatMissingData: z.string().default('missing'),
  AlarmActions: z.array(z.string()).default([]),
});
export type QueueAlarm = z.infer<typeof QueueAlarmSchema>;

export type AlarmState = 'INSUFFICIENT_DATA' | 'OK' | 'ALARM';

/** The service's alarms on an SQS queue's depth (`render` turns their `!Ref`/`!GetAtt` into local names). */
export function queueDepthAlarms(
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  render: (value: unknown) => unknown,
): QueueAlarm[] {
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::CloudWatch::Alarm' &&
        resource.Properties?.Namespace === 'AWS/SQS' &&
        resource.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    )
    .map((resource) => QueueAlarmSchema.parse(render(resource.Properties)));
}

/** Whether a datapoint breaches the alarm's threshold. */
export function breaches(alarm: Pick<QueueAlarm, 'ComparisonOperator' | 'Threshold'>, value: number): boolean {
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.Threshold;
    case 'GreaterThanThreshold':
      return value > alarm.Threshold;
    case 'LessThanThreshold':
      return value < alarm.Threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.Threshold;
  }
}

const REGION_NAMES: Readonly<Record<string, string>> = {
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-central-1': 'EU (Frankfurt)',
  'us-east-1': 'US East (N. Virginia)',
  'us-west-2': 'US West (Oregon)',
};

const two = (value: number) => String(value).padStart(2, '0');

/** CloudWatch's notification of a transition into ALARM, as SNS delivers it (subject and JSON message). */
export function alarmNotification(
  alarm: QueueAlarm,
  transition: { oldState: AlarmState; depth: number; at: Date; region: string; accountId: string },
): { subject: string; message: string } {
  const { at, region, accountId, depth } = transition;
  const regionName = REGION_NAMES[region] ?? region;
  const datapointTime =
    `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCFullYear() % 100)} ` +
    `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
  const comparison: Record<QueueAlarm['ComparisonOperator'], string> = {
    GreaterThanOrEqualToThreshold: 'greater than or equal to',
    GreaterThanThreshold: 'greater than',
    LessThanThreshold: 'less than',
    LessThanOrEqualToThreshold: 'less than or equal to',
  };
  const message = {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription,
    AWSAccountId: accountId,
    NewStateValue: 'ALARM',
    NewStateReason:
      `Threshold Crossed: 1 datapoint [${depth.toFixed(1)} (${datapointTime})] was ` +
      `${comparison[alarm.ComparisonOperator]} the threshold (${alarm.Threshold.toFixed(1)}).`,
    StateChangeTime: at.toISOString().replace('Z', '+0000'),
    Region: regionName,
    AlarmArn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${alarm.AlarmName}`,
    OldStateValue: transition.oldState,
    OKActions: [],
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: [],
    Trigger: {
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      StatisticType: 'Statistic',
      Statistic: alarm.Statistic.toUpperCase(),
      Unit: null,
      Dimensions: alarm.Dimensions.map((dimension) => ({ value: dimension.Value, name: dimension.Name })),
      Period: alarm.Period,
      EvaluationPeriods: alarm.EvaluationPeriods,
      ComparisonOperator: alarm.ComparisonOperator,
      Threshold: alarm.Threshold,
      TreatMissingData: alarm.TreatMissingData,
      EvaluateLowSampleCountPercentile: '',
    },
  };
  return { subject: `ALARM: "${alarm.AlarmName}" in ${regionName}`, message: JSON.stringify(message) };
}

/** Messages in the local queue: the dead-letter file's lines (no file: an empty queue). */
export async function queueDepth(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

export interface DeadLetterAlarmOptions {
  alarm: QueueAlarm;
  /** The local queue: a JSON-lines dead-letter file. */
  file: string;
  region: string;
  accountId: string;
  /** Sends a notification to each of the alarm's actions (topic ARNs). */
  publish: (topicArn: string, notification: { subject: string; message: string }) => Promise<void>;
  /** How often the depth is evaluated (CloudWatch: the alarm's period; locally a second by default). */
  everyMs?: number;
  log?: (line: string) => void;
}

/** Evaluates the alarm every `everyMs`; `evaluate` runs one evaluation now; `stop` ends it. */
export function startDeadLetterAlarm(options: DeadLetterAlarmOptions): {
  evaluate(): Promise<AlarmState>;
  stop(): void;
} {
  let state: AlarmState = 'INSUFFICIENT_DATA';
  let running: Promise<AlarmState> | undefined;
  const evaluateOnce = async (): Promise<AlarmState> => {
    const depth = await queueDepth(options.file);
    const next: AlarmState = breaches(options.alarm, depth) ? 'ALARM' : 'OK';
    if (next === 'ALARM' && state !== 'ALARM') {
      const notification = alarmNotification(options.alarm, {
        oldState: state,
        depth,
        at: new Date(),
        region: options.region,
        accountId: options.accountId,
      });
      for (const topicArn of options.alarm.AlarmActions) await options.publish(topicArn, notification);
    }
    state = next;
    return state;
  };
  // One evaluation at a time; a failed one (SNS down) is tried again at the next period, as CloudWatch retries actions.
  const evaluate = () => {
    running ??= evaluateOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    evaluate().catch((error: unknown) => options.log?.(`alarm ${options.alarm.AlarmName}: ${String(error)}`));
  }, options.everyMs ?? 1_000);
  timer.unref();
  return { evaluate, stop: () => clearInterval(timer) };
}

/** A `publish` that sends through an SNS endpoint (the local one), as CloudWatch's alarm actions do. */
export function snsAlarmPublisher(endpoint: string, region: string): DeadLetterAlarmOptions['publish'] {
  const sns = new SNSClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return async (topicArn, notification) => {
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: notification.subject, Message: notification.message }),
    );
  };
}
