/**
 * The fault proxy's side towards DynamoDB Local: requests forwarded on kept-alive connections
 * (streamed when the proxy has no reason to read them), and the key schemas of tables, which the
 * proxy needs to tell which item a request names.
 */
import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { z } from 'zod';
import { JSON_CONTENT_TYPE, TARGET_PREFIX, type WireResponse } from './dynamodb-wire.ts';

/** Headers that belong to one connection, not to the request: never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** BatchWriteItem's 16 MB plus its envelope: nothing DynamoDB accepts is larger. */
const MAX_BODY_BYTES = 16 * 1024 * 1024 + 65_536;
/** DynamoDB Local checks no signature but wants a credential scope (it names the database without -sharedDb). */
const FALLBACK_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

const DescribeTableOutputSchema = z.object({
  Table: z.object({
    KeySchema: z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) })).min(1),
  }),
});

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export function forwardHeaders(headers: IncomingHttpHeaders, bodyLength?: number): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  if (bodyLength !== undefined) result['content-length'] = String(bodyLength);
  return result;
}

/** Reads a request body whole. @throws Error over DynamoDB's largest request. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The JSON in a body, or undefined when it is not JSON (DynamoDB Local then answers the client itself). */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function sendWire(response: ServerResponse, answer: WireResponse | UpstreamAnswer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

export function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload, null, 2);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

export class DynamoDbUpstream {
  readonly #url: URL;
  // Keep-alive: without it every request would pay a TCP handshake to DynamoDB Local.
  readonly #agent = new Agent({ keepAlive: true, maxFreeSockets: 256, keepAliveMsecs: 30_000 });
  readonly #keySchemas = new Map<string, Promise<string[] | undefined>>();

  constructor(baseUrl: string) {
    this.#url = new URL(baseUrl);
  }

  /** Streams the request (or `body` in its place) to DynamoDB Local and its answer back; resolves with the status once sent. */
  async forward(request: IncomingMessage, response: ServerResponse, body?: Buffer): Promise<number> {
    let answer: IncomingMessage;
    try {
      answer = await this.#send(request.url ?? '/', forwardHeaders(request.headers, body?.length), body ?? request);
    } catch (error) {
      this.unreachable(response, error);
      return 502;
    }
    const status = answer.statusCode ?? 502;
    response.writeHead(status, forwardHeaders(answer.headers));
    answer.pipe(response);
    await new Promise<void>((resolveEnd) => {
      answer.once('end', resolveEnd);
      answer.once('error', () => resolveEnd());
      response.once('close', () => {
        // A client that went away mid-answer: drop the rest rather than leave the upstream socket busy.
        if (!answer.complete) answer.destroy();
        resolveEnd();
      });
    });
    return status;
  }

  /** Sends `body` with the request's path and headers and reads the whole answer (to rewrite or swallow it). */
  read(request: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> {
    return this.#read(request.url ?? '/', forwardHeaders(request.headers, body.length), body);
  }

  /** Answers 502 for a DynamoDB Local that cannot be reached (the SDK retries 5xx). */
  unreachable(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(response, 502, { message: `DynamoDB Local at ${this.#url.origin} is not reachable: ${String(error)}` });
  }

  /**
   * A table's key attribute names, partition key first, from DescribeTable; cached until
   * {@link forgetTables}. Undefined for a table that does not exist (not cached).
   */
  keyNames(table: string, authorization: string | undefined): Promise<string[] | undefined> {
    const cached = this.#keySchemas.get(table);
    if (cached !== undefined) return cached;
    const lookup = this.#describe(table, authorization);
    this.#keySchemas.set(table, lookup);
    void lookup.then((names) => {
      if (names === undefined && this.#keySchemas.get(table) === lookup) this.#keySchemas.delete(table);
    });
    return lookup;
  }

  /** A table was created, deleted or changed: learn key schemas anew. */
  forgetTables(): void {
    this.#keySchemas.clear();
  }

  close(): void {
    this.#agent.destroy();
  }

  async #describe(table: string, authorization: string | undefined): Promise<string[] | undefined> {
    const body = Buffer.from(JSON.stringify({ TableName: table }));
    const headers = {
      'content-type': JSON_CONTENT_TYPE,
      'x-amz-target': `${TARGET_PREFIX}DescribeTable`,
      'content-length': String(body.length),
      authorization: authorization ?? FALLBACK_AUTHORIZATION,
    };
    const answer = await this.#read('/', headers, body).catch(() => undefined);
    if (answer?.status !== 200) return undefined;
    const description = DescribeTableOutputSchema.safeParse(parseJson(answer.body));
    if (!description.success) return undefined;
    const keySchema = description.data.Table.KeySchema;
    return [
      ...keySchema.filter((entry) => entry.KeyType === 'HASH'),
      ...keySchema.filter((entry) => entry.KeyType === 'RANGE'),
    ].map((entry) => entry.AttributeName);
  }

  #send(
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer | IncomingMessage,
  ): Promise<IncomingMessage> {
    return new Promise((resolveResponse, rejectResponse) => {
      const outgoing = httpRequest(
        { host: this.#url.hostname, port: this.#url.port, method: 'POST', path, headers, agent: this.#agent },
        resolveResponse,
      );
      outgoing.on('error', rejectResponse);
      if (Buffer.isBuffer(body)) outgoing.end(body);
      else body.pipe(outgoing);
    });
  }

  async #read(path: string, headers: Record<string, string | string[]>, body: Buffer): Promise<UpstreamAnswer> {
    const answer = await this.#send(path, headers, body);
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return { status: answer.statusCode ?? 502, headers: forwardHeaders(answer.headers), body: Buffer.concat(chunks) };
  }
}
