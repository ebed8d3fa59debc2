/**
 * Structured logging (Powertools). Phone numbers never reach the logs in full: use `maskPhone` for the ones the code
 * logs; errors are masked here, whatever they say (an SDK error may quote the number it refused).
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/** `+48601234567` → `+48*****4567`: enough to correlate, not enough to call. */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) {
    return '*'.repeat(phone.length);
  }
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/**
 * `text` with every phone number in it masked: `+` followed by 7–15 digits (spaces, dashes, brackets allowed
 * inside), and bare runs of 9–15 digits that are not part of a longer token (so dates, times and ids stay).
 */
export function maskPhonesIn(text: string): string {
  return text
    .replace(/\+\d[\d ()-]{5,22}\d/g, (match) => {
      const digits = match.replace(/\D/g, '');
      // However many digits follow (two numbers side by side, a number and a count), none go out in full.
      return digits.length >= 7 ? maskPhone(`+${digits}`) : match;
    })
    .replace(/(?<![\w+-])\d{9,15}(?![\w-])/g, (digits) => maskPhone(digits));
}

/**
 * A copy of a value with every string in it passed through {@link maskPhonesIn}: plain objects and arrays are
 * copied, errors are kept (the logger formats them with {@link MaskingLogFormatter.formatError}), anything else stays.
 */
export function maskPhonesInValue(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return maskPhonesIn(value);
  if (typeof value !== 'object' || value === null || value instanceof Error || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskPhonesInValue(item, seen));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskPhonesInValue(item, seen)]));
}

/**
 * Powertools' standard JSON log format (the same keys as its default formatter), with every error masked: an `Error`
 * anywhere in a log item (the `error` key, a cause, an AggregateError's errors, a nested field) is written with its
 * message, stack and fields passed through {@link maskPhonesIn}, and so is whatever is logged under `error` when it
 * is not an `Error` (a message string, an SDK error's plain fields).
 */
export class MaskingLogFormatter extends LogFormatter {
  /** The log item: Powertools' standard keys first, then the item's own attributes. */
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const { error, ...rest } = additionalLogAttributes;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes({ ...rest, ...(error !== undefined && { error: maskPhonesInValue(error) }) });
  }

  /** An error as Powertools writes it (name, location, message, stack, cause, own fields), every string masked. */
  override formatError(error: Error): LogAttributes {
    return maskPhonesInValue(super.formatError(error)) as LogAttributes;
  }
}

export const logger = new Logger({ logFormatter: new MaskingLogFormatter() });

/** An error as a log line may show it: its name, and its message and stack with every phone number masked. */
export function maskedError(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: maskPhonesIn(String(error)) };
  const masked: { name: string; message: string; stack?: string } = {
    name: error.name,
    message: maskPhonesIn(error.message),
  };
  if (error.stack !== undefined) masked.stack = maskPhonesIn(error.stack);
  return masked;
}
