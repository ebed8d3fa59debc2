/**
 * The local Connect instance's contact flow: contact-flows/outbound-survey.json with its
 * `${...FunctionArn}` placeholders replaced by the local functions' ARNs (as the deployment's
 * Fn::Sub does, config/contact-flow-content.cjs), executed by the simulator for every answered
 * call. Flow Lambdas are invoked through serverless-offline's Lambda endpoint.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { RunFlow } from './connect-simulator/flow.ts';
import { createFlowExecutor, type LambdaInvoker, loadFlow } from './connect-simulator/flow-executor.ts';

const FLOW_FILE = resolve(import.meta.dirname, '..', 'contact-flows', 'outbound-survey.json');

/** Placeholder → serverless function key, the deployment's own map. */
export function functionPlaceholders(): Record<string, string> {
  const { FUNCTION_PLACEHOLDERS } = createRequire(import.meta.url)('../config/contact-flow-content.cjs') as {
    FUNCTION_PLACEHOLDERS: Record<string, string>;
  };
  return FUNCTION_PLACEHOLDERS;
}

/** Invokes functions by ARN through a Lambda client (its endpoint decides where), within a time limit. */
export function lambdaInvoker(lambda: LambdaClient): LambdaInvoker {
  return async ({ functionArn, payload, timeoutMs }) => {
    // arn:aws:lambda:<region>:<account>:function:<name>; serverless-offline knows functions by name.
    const functionName = functionArn.split(':function:').at(-1)?.split(':')[0] ?? functionArn;
    try {
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(payload) }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      const text = Buffer.from(result.Payload ?? []).toString('utf8');
      return result.FunctionError ? { kind: 'FUNCTION_ERROR', payload: text } : { kind: 'OK', payload: text };
    } catch (error) {
      const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
      if (failure.name === 'AbortError' || failure.name === 'TimeoutError') return { kind: 'TIMEOUT' };
      const message = `${failure.name}: ${failure.message}`;
      return failure.$metadata?.httpStatusCode === 429
        ? { kind: 'THROTTLED', message }
        : { kind: 'SERVICE_ERROR', message };
    }
  };
}

/** The `runFlow` hook running the shipped flow against the local functions. */
export function localContactFlow(options: {
  lambda: LambdaClient;
  functionName: (functionKey: string) => string;
  region: string;
  accountId: string;
}): RunFlow {
  const substitutions = Object.fromEntries(
    Object.entries(functionPlaceholders()).map(([placeholder, functionKey]) => [
      placeholder,
      `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName(functionKey)}`,
    ]),
  );
  const flow = loadFlow(readFileSync(FLOW_FILE, 'utf8'), substitutions);
  return createFlowExecutor({ flow, invoke: lambdaInvoker(options.lambda) });
}
