/**
 * A failure that waiting and trying again can fix: a dependency stayed busy (DynamoDB contention or throttling,
 * Connect throttling) longer than a function's own retries. The state machine's Retry list names `TransientError`
 * (statemachines/campaign-run.asl.yml), so a dispatcher tick that ends with it is run again with backoff instead of
 * failing the run; an event handler that throws it is retried by Lambda.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}
