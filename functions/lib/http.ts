/**
 * The HTTP plumbing every API function shares: one error middleware and response builders,
 * so handlers only parse, call core code and shape the result.
 */
import type middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { type HandlerOptions, type LambdaFunction, observedChain, withRunUsage } from './handler.ts';
import { logger, maskedError } from './logger.ts';
import { asHttpEvent } from './rest-api-event.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

/** One problem with a request, addressed by the field, parameter, row or path it concerns. */
export interface Problem {
  path: string;
  message: string;
}

/** An error a client can act on; becomes a 4xx response with its code and problems. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly problems: Problem[];
  constructor(statusCode: number, code: string, message: string, problems: Problem[] = []) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.problems = problems;
  }
}

export const badRequest = (message: string, problems: Problem[] = []): HttpError =>
  new HttpError(400, 'BAD_REQUEST', message, problems);
export const notFound = (message: string): HttpError => new HttpError(404, 'NOT_FOUND', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'CONFLICT', message);

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** Parses a value with a schema, turning every issue into a problem of a 400 response. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw badRequest(
      `invalid ${what}`,
      result.error.issues.map((issue) => ({
        path: [what, ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** Parses the JSON body of a request; a body that is not JSON is a 400 naming the position. */
export function jsonBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === '') {
    throw badRequest('request body is required');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * What a function's own errors mean to a client: the HttpError to answer with, or undefined for an error it does
 * not know (a 500). Lets a handler name its domain errors once instead of catching them around each call.
 */
export type ErrorTranslation = (error: unknown, event: HttpEvent) => HttpError | undefined;

/**
 * Turns thrown errors into JSON responses: HttpError (or what `translate` makes of an error) as itself, anything
 * else as a 500 naming the request id, logged with phone numbers masked.
 */
export function httpErrors(translate: ErrorTranslation = () => undefined): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const error = request.error instanceof HttpError ? request.error : translate(request.error, request.event);
      if (error instanceof HttpError) {
        request.response = json(error.statusCode, {
          error: { code: error.code, message: error.message, problems: error.problems },
        });
        return;
      }
      logger.error('unhandled error', { error: maskedError(request.error) });
      request.response = json(500, {
        error: { code: 'INTERNAL', message: 'internal error', requestId: request.context.awsRequestId },
      });
    },
  };
}

/** Hands the handler the HTTP API's event shape when a private REST API calls it (functions/lib/rest-api-event.ts). */
export function restApiEvents(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      request.event = asHttpEvent(request.event);
    },
  };
}

/**
 * Wraps an HTTP handler with the shared middleware: Lambda context on log lines and metrics flushed (handler.ts),
 * then every error shaped into a JSON response, with `translate` naming the handler's own refusals.
 */
export function httpHandler(
  handler: LambdaFunction<HttpEvent, HttpResult>,
  translate?: ErrorTranslation,
  options: HandlerOptions = {},
): middy.MiddyfiedHandler<HttpEvent, HttpResult> {
  return observedChain<HttpEvent, HttpResult>()
    .use(restApiEvents())
    .use(httpErrors(translate))
    .handler(withRunUsage(handler, options));
}
