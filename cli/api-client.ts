/**
 * The CLI's one way to the campaign API: builds URLs, signs requests for AWS, turns network failures and error
 * answers into errors an operator can act on, and parses answers with the schemas the CLI relies on.
 */
import { hostname, userInfo } from 'node:os';
import type { z } from 'zod';
import { ApiErrorBodySchema } from './api-schemas.ts';
import { ApiError, CliError, NetworkError, UsageError } from './errors.ts';
import { createSigner, isLocalApi, type RequestSigner } from './signing.ts';

/** Who runs the CLI, for the local stack's audit log: `user@host`. */
export function localOperator(): string {
  return `${userInfo().username}@${hostname()}`;
}

/** The local stack's API (`npm start`). */
export const LOCAL_API = 'http://127.0.0.1:3000';

export interface ApiRequest {
  method?: string;
  /** Path below the API's base URL, e.g. `/campaigns/demo`. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | undefined>;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (a list file). */
  body?: Uint8Array | string;
  contentType?: string;
}

/**
 * The API's base URL: `--api`, else `CAMPAIGN_API`, else the local stack.
 * @throws CliError when it is not an http(s) URL.
 */
export function apiBaseUrl(option: string | undefined, env: NodeJS.ProcessEnv): URL {
  const value = option ?? (env.CAMPAIGN_API || LOCAL_API);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`the API URL "${value}" is not a URL`, {
      hint: 'pass the API endpoint, e.g. --api https://abc123.execute-api.eu-west-1.amazonaws.com',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`the API URL "${value}" is not http(s)`, { hint: 'pass an https:// URL with --api' });
  }
  return url;
}

/** Why a connection failed, in a few words (`connection refused`, `host not found`, …). */
export function describeNetworkError(error: unknown): string {
  const causes: unknown[] = [];
  let current: unknown = error;
  while (current instanceof Error && causes.length < 5) {
    causes.push(current);
    current = current.cause;
  }
  const codes = causes.flatMap((cause) => [
    (cause as { code?: unknown }).code,
    ...(cause instanceof AggregateError ? cause.errors.map((inner) => (inner as { code?: unknown }).code) : []),
  ]);
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found (DNS lookup failed)',
    ETIMEDOUT: 'timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    ECONNRESET: 'connection reset',
    UND_ERR_SOCKET: 'connection closed',
    EHOSTUNREACH: 'host unreachable',
    CERT_HAS_EXPIRED: 'TLS certificate expired',
  };
  for (const code of codes) {
    if (typeof code === 'string' && words[code] !== undefined) return words[code];
  }
  const last = causes.at(-1);
  return last instanceof Error ? last.message : String(error);
}

/** The error for a request that never got an answer. */
export function unreachable(url: URL, error: unknown, local: boolean): CliError {
  if (error instanceof CliError) return error;
  return new NetworkError(
    `cannot reach ${url.origin} (${describeNetworkError(error)})`,
    local
      ? 'start the local stack with `npm start`, or pass --api <url> (or set CAMPAIGN_API)'
      : 'check the --api URL and your network connection',
  );
}

/** The ApiError for an error answer: the API's `{ error: { code, message, problems } }`, or what there is. */
export async function apiErrorOf(response: Response, what: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = ApiErrorBodySchema.safeParse(parsed);
  if (body.success && 'error' in body.data) {
    const { code, message, problems } = body.data.error;
    return new ApiError(response.status, message, { code, problems });
  }
  if (body.success && 'message' in body.data) return new ApiError(response.status, `${what}: ${body.data.message}`);
  const excerpt = text.trim().slice(0, 200);
  return new ApiError(response.status, `${what}: ${excerpt === '' ? response.statusText : excerpt}`);
}

/** Requests to the campaign API: URLs below its base, SigV4-signed when it is in AWS. */
export class ApiClient {
  readonly baseUrl: URL;
  readonly signer: RequestSigner | undefined;
  private readonly fetch: typeof fetch;

  constructor(baseUrl: URL, signer?: RequestSigner, fetchFunction: typeof fetch = fetch) {
    this.baseUrl = baseUrl;
    this.signer = signer;
    this.fetch = fetchFunction;
  }

  /** A client for `--api`/`CAMPAIGN_API`/the local stack, signing unless the API is local. */
  static async create(option: string | undefined, env: NodeJS.ProcessEnv): Promise<ApiClient> {
    const baseUrl = apiBaseUrl(option, env);
    return new ApiClient(baseUrl, await createSigner(baseUrl, env));
  }

  get isLocal(): boolean {
    return isLocalApi(this.baseUrl);
  }

  /** The absolute URL of an API path. */
  url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(this.baseUrl.href.replace(/\/+$/, '') + path);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    return url;
  }

  /** The headers of a request, signed when the API is in AWS. */
  async headersFor(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body?: Uint8Array | string,
  ): Promise<Record<string, string>> {
    // The local stack has no IAM: its audit log names the operator the CLI says it runs for.
    if (this.signer === undefined) return { ...headers, 'x-operator': localOperator() };
    return { ...headers, ...(await this.signer.sign({ method, url, headers, body })) };
  }

  /**
   * Sends a request and returns the answer whatever its status. Redirects are not followed: a redirect to a
   * presigned S3 URL must not carry the API's signature.
   * @throws CliError when the API cannot be reached.
   */
  async send(request: ApiRequest): Promise<Response> {
    const method = request.method ?? 'GET';
    const url = this.url(request.path, request.query);
    const body = request.json === undefined ? request.body : JSON.stringify(request.json);
    const contentType = request.json === undefined ? request.contentType : 'application/json';
    const headers = await this.headersFor(
      method,
      url,
      contentType === undefined ? {} : { 'content-type': contentType },
      body,
    );
    try {
      return await this.fetch(url, { method, headers, body, redirect: 'manual' });
    } catch (error) {
      throw unreachable(url, error, this.isLocal);
    }
  }

  /**
   * Sends a request and parses a successful JSON answer with `schema`.
   * @throws ApiError for an error status, CliError for an answer the CLI does not understand.
   */
  async json<T extends z.ZodType>(schema: T, request: ApiRequest): Promise<z.infer<T>> {
    const response = await this.send(request);
    const what = `${request.method ?? 'GET'} ${request.path}`;
    if (!response.ok) throw await apiErrorOf(response, what);
    return parseAnswer(schema, await response.json().catch(() => undefined), what);
  }
}

/** Parses an API answer; a mismatch means the CLI and the API disagree about the interface. */
export function parseAnswer<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];

  throw new CliError(
    `unexpected answer to ${what}: ${issue === undefined ? 'not JSON' : `${issue.path.join('.') || 'body'}: ${issue.message}`}`,
    { hint: 'the CLI and the API may be from different versions: update the checkout or redeploy' },
  );
}

/**
 * GETs a presigned URL (S3), unsigned.
 * @throws CliError when it cannot be reached or answers with an error.
 */
export async function fetchPresigned(url: string, fetchFunction: typeof fetch = fetch): Promise<Response> {
  const target = new URL(url);
  let response: Response;
  try {
    response = await fetchFunction(target);
  } catch (error) {
    throw unreachable(target, error, isLocalApi(target));
  }
  if (!response.ok) {
    throw new CliError(`download from ${target.origin} failed: HTTP ${response.status}`, {
      hint: 'the download link expires: run the command again for a fresh one',
    });
  }
  return response;
}

/**
 * An API path with every interpolated value URL-encoded as one segment (`apiPath\`/campaigns/${id}/lists\``), so an
 * id typed with a `/`, `?` or `#` is refused by the API as an id instead of reaching another route.
 */
export function apiPath(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  // `.` and `..` stay dot segments however they are encoded: a URL resolves them to another route.
  const dotted = values.find((value) => String(value) === '.' || String(value) === '..');
  if (dotted !== undefined) throw new UsageError(`"${dotted}" is not an id`);
  return strings.reduce(
    (path, text, index) => path + text + (index < values.length ? encodeURIComponent(String(values[index])) : ''),
    '',
  );
}
