/**
 * Delivers contact events to a Lambda function the way an EventBridge rule target does: an
 * asynchronous (`Event`) invocation with the event as payload. Locally the endpoint is
 * serverless-offline's Lambda invoke endpoint (default http://localhost:3002).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DeliverEvent } from './delivery.ts';

export interface LambdaEventDeliveryOptions {
  /** Full function name, e.g. `outbound-campaign-engine-dev-callEnded` under serverless-offline. */
  functionName: string;
  /** Lambda API endpoint, e.g. `http://localhost:3002`; omit to use the SDK's (or AWS_ENDPOINT_URL_LAMBDA). */
  endpoint?: string;
  region?: string;
  /** A client to reuse instead of creating one (its endpoint and region then apply). */
  client?: LambdaClient;
}

/** Builds a `deliver` callback that invokes `functionName` asynchronously with each event. */
export function lambdaEventDelivery(options: LambdaEventDeliveryOptions): DeliverEvent {
  const client =
    options.client ??
    new LambdaClient({
      region: options.region ?? 'eu-west-1',
      ...(options.endpoint === undefined
        ? {}
        : { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      // The simulator retries failed deliveries itself, like EventBridge; one SDK attempt each.
      maxAttempts: 1,
    });
  return async (event) => {
    const result = await client.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    if (result.StatusCode !== undefined && result.StatusCode >= 300) {
      throw new Error(`Lambda ${options.functionName} answered ${result.StatusCode}`);
    }
    if (result.FunctionError !== undefined) {
      throw new Error(`Lambda ${options.functionName} failed: ${result.FunctionError}`);
    }
  };
}
