/** Hands work to another function without waiting for it: Lambda's asynchronous invocation (queued, at least once). */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { lambdaClient } from './aws-clients.ts';

export class FunctionInvoker {
  private readonly client: typeof lambdaClient;

  constructor(client = lambdaClient) {
    this.client = client;
  }

  async invokeAsync(functionName: string, payload: unknown): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
  }
}
