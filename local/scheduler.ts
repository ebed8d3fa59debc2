/**
 * The local EventBridge Scheduler: invokes every function that serverless.yml gives a
 * `schedule: rate(...)` event, at that rate, through the offline Lambda endpoint.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

const UNIT_SECONDS: Record<string, number> = {
  minute: 60,
  minutes: 60,
  hour: 3_600,
  hours: 3_600,
  day: 86_400,
  days: 86_400,
};

/** `rate(5 minutes)` → 300 000 ms; undefined for cron expressions and anything else. */
export function rateMilliseconds(expression: string): number | undefined {
  const match = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const unit = UNIT_SECONDS[match[2]];
  return unit === undefined ? undefined : Number(match[1]) * unit * 1000;
}

export interface ScheduledFunction {
  functionName: string;
  everyMs: number;
}

/** Finds the scheduled functions of a printed service definition. */
export function scheduledFunctions(
  functions: Record<string, { events?: Array<Record<string, unknown>> }>,
  functionName: (key: string) => string,
): ScheduledFunction[] {
  const scheduled: ScheduledFunction[] = [];
  for (const [key, definition] of Object.entries(functions)) {
    for (const event of definition.events ?? []) {
      const schedule = event.schedule;
      const expression =
        typeof schedule === 'string'
          ? schedule
          : typeof schedule === 'object' && schedule !== null && 'rate' in schedule
            ? String([schedule.rate].flat()[0])
            : undefined;
      const everyMs = expression === undefined ? undefined : rateMilliseconds(expression);
      if (everyMs !== undefined) scheduled.push({ functionName: functionName(key), everyMs });
    }
  }
  return scheduled;
}

/** Starts the timers; the returned function stops them. */
export function startScheduler(
  scheduled: ScheduledFunction[],
  options: { lambdaEndpoint: string; region: string; log: (line: string) => void },
): () => void {
  const lambda = new LambdaClient({
    endpoint: options.lambdaEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const timers = scheduled.map(({ functionName, everyMs }) =>
    setInterval(() => {
      const event = {
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        time: new Date().toISOString(),
        detail: {},
      };
      lambda
        .send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }))
        .then((result) => {
          if (result.FunctionError)
            options.log(`${functionName} failed: ${Buffer.from(result.Payload ?? []).toString()}`);
        })
        .catch((error: unknown) => options.log(`${functionName} could not be invoked: ${String(error)}`));
    }, everyMs),
  );
  return () => {
    for (const timer of timers) clearInterval(timer);
    lambda.destroy();
  };
}
