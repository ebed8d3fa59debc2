/**
 * `campaign dashboard`: a proxy on localhost that forwards every request (the web dashboard at `/`, its
 * `/assets/*`, and the API calls it makes) to the API, signing each with SigV4 when the API is in AWS. A browser
 * cannot sign requests; the operator opens http://127.0.0.1:8080/ instead. Responses are streamed through as they
 * are; request bodies (small JSON) are read first, because the signature covers them.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from '../api-client.ts';
import { describeNetworkError } from '../api-client.ts';
import { type CommandSpec, integerOption } from '../command-line.ts';
import { CliError } from '../errors.ts';

/** API Gateway refuses larger bodies anyway. */
const MAX_BODY_BYTES = 10_000_000;
/** Headers that belong to one connection, or that the proxy sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);
/** Browser headers that must not reach the API: credentials of other origins, or headers the signature sets. */
const NOT_FORWARDED = new Set(['cookie', 'authorization', 'origin', 'referer']);

/** The request headers forwarded to the API. */
export function forwardedRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || NOT_FORWARDED.has(name) || name.startsWith('x-amz-')) continue;
    forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return forwarded;
}

/** The response headers passed back to the browser. */
export function forwardedResponseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) forwarded[name] = value;
  }
  if (headers['content-length'] !== undefined && headers['transfer-encoding'] === undefined) {
    forwarded['content-length'] = headers['content-length'];
  }
  return forwarded;
}

/**
 * Whether the proxy serves a request. It signs with the operator's credentials, so only pages it serves itself may
 * use it: the Host must be the proxy's own (no DNS rebinding); the dashboard's own files (`/`, `/assets/…`) may be
 * loaded by anyone, but every API request must come from the proxy's own page: the browser says so with
 * `Sec-Fetch-Site: same-origin` (or an Origin equal to the proxy's). Other sites' images, forms and scripts, and
 * requests that say nothing of where they come from, are refused.
 */
export function isAllowedRequest(
  request: { method?: string; host?: string; origin?: string; fetchSite?: string; path?: string },
  port: number,
): boolean {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (request.host === undefined || !hosts.includes(request.host.toLowerCase())) return false;
  const path = request.path ?? '/';
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  const method = request.method ?? 'GET';
  const pathname = path.split('?')[0] ?? '/';
  if ((method === 'GET' || method === 'HEAD') && (pathname === '/' || pathname.startsWith('/assets/'))) return true;
  if (request.origin !== undefined) return request.origin.toLowerCase() === `http://${request.host.toLowerCase()}`;
  return request.fetchSite === 'same-origin';
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new CliError('request body too large');
    chunks.push(chunk);
  }
  return size === 0 ? undefined : Buffer.concat(chunks);
}

/** Starts the proxy on `host:port`; resolves once it listens. */
export async function startDashboardProxy(
  client: ApiClient,
  options: { port: number; host?: string; log?: (line: string) => void },
): Promise<Server> {
  const { port, host = '127.0.0.1', log = () => undefined } = options;
  const server = createServer(async (request, response) => {
    const started = Date.now();
    const method = request.method ?? 'GET';
    const done = (status: number) => log(`${method} ${request.url} ${status} ${Date.now() - started} ms`);
    const fail = (status: number, code: string, message: string) => {
      if (!response.headersSent) {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ error: { code, message, problems: [] } }));
      } else {
        response.destroy();
      }
      done(status);
    };
    const fetchSite = request.headers['sec-fetch-site'];
    const allowed = isAllowedRequest(
      {
        method,
        host: request.headers.host,
        origin: request.headers.origin,
        fetchSite: Array.isArray(fetchSite) ? fetchSite[0] : fetchSite,
        path: request.url,
      },
      port,
    );
    if (!allowed) {
      return fail(
        403,
        'FORBIDDEN',
        'the dashboard proxy serves only pages it serves itself (open it at its own address)',
      );
    }
    try {
      const body = await readBody(request);
      const target = client.url(request.url ?? '/');
      const forwarded = forwardedRequestHeaders(request.headers);
      const contentType = forwarded['content-type'];
      const signed = await client.headersFor(
        method,
        target,
        contentType === undefined ? {} : { 'content-type': contentType },
        body,
      );
      const upstream = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
        method,
        headers: { ...forwarded, ...signed, ...(body !== undefined && { 'content-length': String(body.length) }) },
      });
      upstream.on('response', (answer) => {
        response.writeHead(answer.statusCode ?? 502, forwardedResponseHeaders(answer.headers));
        pipeline(answer, response).then(
          () => done(answer.statusCode ?? 502),
          () => {
            response.destroy();
            done(502);
          },
        );
      });
      upstream.on('error', (error) =>
        fail(502, 'BAD_GATEWAY', `cannot reach ${target.origin} (${describeNetworkError(error)})`),
      );
      request.on('close', () => {
        if (!response.writableFinished) upstream.destroy();
      });
      upstream.end(body);
    } catch (error) {
      if (error instanceof CliError && error.message === 'request body too large') {
        return fail(413, 'PAYLOAD_TOO_LARGE', error.message);
      }
      fail(502, 'BAD_GATEWAY', error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(`port ${port} is in use`, { hint: `pick another one: --port ${port + 1}` })
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

export const dashboardCommand: CommandSpec = {
  name: 'dashboard',
  summary: 'serve the web dashboard on localhost, forwarding (and signing) requests to the API',
  usage: ['dashboard [--port 8080] [--api <url>]'],
  options: {
    port: { type: 'string', value: 'port', description: 'local port (default 8080)' },
  },
  details: [
    'Open http://127.0.0.1:<port>/ in a browser. Every request is forwarded to the API; requests to AWS are signed',
    'with your AWS credentials, which is why the proxy listens on 127.0.0.1 only and serves no other site.',
    'Runs until Ctrl-C.',
  ],
  async run({ values, json, api, out }) {
    const port = integerOption(values, 'port', 8080);
    const client = await api();
    const server = await startDashboardProxy(client, { port, log: (line) => out.note(line) });
    const url = `http://127.0.0.1:${port}/`;
    const signing = client.signer === undefined ? 'unsigned' : `signed for execute-api in ${client.signer.region}`;
    if (json) out.printJson({ url, api: client.baseUrl.href, signed: client.signer !== undefined });
    else out.print(`dashboard on ${url} → ${client.baseUrl.origin} (requests ${signing}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return undefined;
  },
};
