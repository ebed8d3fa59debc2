/**
 * The HTTP plumbing every API function shares: one error middleware and response builders,
 * so handlers only parse, call core code and shape the result.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from './logger.ts';
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

/** Turns thrown errors into JSON responses: HttpError as itself, anything else as a logged 500. */
export function httpErrors(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof HttpError) {
        request.response = json(error.statusCode, {
          error: { code: error.code, message: error.message, problems: error.problems },
        });
        return;
      }
      logger.error('unhandled error', { error });
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

/** Wraps an HTTP handler with the shared middleware. */
export function httpHandler(
  handler: (event: HttpEvent, context: Context) => Promise<HttpResult>,
): middy.MiddyfiedHandler<HttpEvent, HttpResult> {
  return middy<HttpEvent, HttpResult>().use(restApiEvents()).use(httpErrors()).handler(handler);
}
