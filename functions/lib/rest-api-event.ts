/**
 * The API functions are written for the HTTP API's events (payload version 2.0). A stage with a private API
 * (`privateApi`, docs/deploy.md) serves the same routes from a REST API, whose events are version 1.0: this turns
 * one into the other, so the handlers read one shape whichever API calls them.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';

const StringMapSchema = z.record(z.string(), z.string());

/** A REST API proxy event (payload version 1.0): what the handlers need of it. */
export const RestApiEventSchema = z
  .object({
    resource: z.string(),
    path: z.string(),
    httpMethod: z.string().min(1),
    headers: StringMapSchema.nullish(),
    queryStringParameters: StringMapSchema.nullish(),
    pathParameters: StringMapSchema.nullish(),
    stageVariables: StringMapSchema.nullish(),
    body: z.string().nullish(),
    isBase64Encoded: z.boolean().nullish(),
    requestContext: z
      .object({
        accountId: z.string(),
        apiId: z.string(),
        stage: z.string(),
        requestId: z.string(),
        domainName: z.string().optional(),
        domainPrefix: z.string().optional(),
        protocol: z.string().optional(),
        requestTimeEpoch: z.number().optional(),
        identity: z.object({ sourceIp: z.string().nullish(), userAgent: z.string().nullish() }).loose().optional(),
      })
      .loose(),
  })
  .loose();
export type RestApiEvent = z.infer<typeof RestApiEventSchema>;

/**
 * The event as the HTTP API would send it: an HTTP API event as is; a REST API event with its path (without the
 * stage) as `rawPath`, header names in lower case (the HTTP API's), its query string, path parameters and body, and
 * the request context's method, path and caller.
 */
export function asHttpEvent(event: APIGatewayProxyEventV2 | RestApiEvent): APIGatewayProxyEventV2 {
  // Anything but a REST API event is the HTTP API's (tests build them without every field): left as it is.
  if ('version' in event && event.version === '2.0') return event as APIGatewayProxyEventV2;
  const parsed = RestApiEventSchema.safeParse(event);
  if (!parsed.success) return event as APIGatewayProxyEventV2;
  const rest = parsed.data;
  const context = rest.requestContext;
  const headers = Object.fromEntries(
    Object.entries(rest.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const query = rest.queryStringParameters ?? undefined;
  const epoch = context.requestTimeEpoch ?? Date.now();
  return {
    version: '2.0',
    routeKey: `${rest.httpMethod} ${rest.resource}`,
    rawPath: rest.path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    ...(query !== undefined && { queryStringParameters: query }),
    ...(rest.pathParameters && { pathParameters: rest.pathParameters }),
    ...(rest.stageVariables && { stageVariables: rest.stageVariables }),
    ...(typeof rest.body === 'string' && { body: rest.body }),
    isBase64Encoded: rest.isBase64Encoded === true,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName ?? '',
      domainPrefix: context.domainPrefix ?? '',
      http: {
        method: rest.httpMethod,
        path: rest.path,
        protocol: context.protocol ?? 'HTTP/1.1',
        sourceIp: context.identity?.sourceIp ?? '',
        userAgent: context.identity?.userAgent ?? headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: `${rest.httpMethod} ${rest.resource}`,
      stage: context.stage,
      time: new Date(epoch).toISOString(),
      timeEpoch: epoch,
    },
  };
}
