/**
 * HTTP front of the Connect simulator: the restJson1 wire format the unchanged
 * `@aws-sdk/client-connect` speaks (point it here with `endpoint` or `AWS_ENDPOINT_URL_CONNECT`),
 * plus `/_sim/*` control endpoints for tests and demos.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ConnectSimulatorOptions } from './config.ts';
import type { CallRecord } from './contact.ts';
import { ConnectApiError } from './errors.ts';
import { InvalidScenarioError, type Scenario } from './scenario.ts';
import { ConnectSimulator, type SimulatorStats } from './simulator.ts';

/** Largest request body accepted (Connect attributes alone may reach 32 KB). */
const MAX_BODY_BYTES = 1_048_576;

/** `POST /_sim/hang`: how many accepted StartOutboundVoiceContact answers to withhold. */
const HangRequestSchema = z.strictObject({ times: z.number().int().min(1).max(10_000).default(1) });

/**
 * The crash switch: the next `remaining` StartOutboundVoiceContact calls are placed (the call rings,
 * events flow) but their HTTP answer never comes, as if the dialer died right after Connect accepted
 * the call. The connections stay open until `DELETE /_sim/hang` or close resets them.
 */
interface HangSwitch {
  remaining: number;
  held: Set<ServerResponse>;
}

export interface ConnectSimulatorServerOptions extends ConnectSimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default loopback only. */
  host?: string;
}

export interface ConnectSimulatorHandle {
  /** Base URL for the SDK's `endpoint` / `AWS_ENDPOINT_URL_CONNECT`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** The engine behind the server, for direct inspection in tests. */
  simulator: ConnectSimulator;
  stats(): SimulatorStats;
  callRecords(): CallRecord[];
  /** Replaces the scenario for new calls. @throws InvalidScenarioError */
  setScenario(input: unknown): Scenario;
  /** Resolves when no call is active and every event has been delivered (or given up on). */
  idle(): Promise<void>;
  /** Stops listening, abandons active calls and pending deliveries, flushes the log files. */
  close(): Promise<void>;
}

/**
 * Starts the simulator's HTTP server.
 *
 * @example
 * const simulator = await startConnectSimulator({ scenario: { seed: 7, timeScale: 0.01 } });
 * const connect = new ConnectClient({ endpoint: simulator.url, region: 'eu-west-1' });
 */
export async function startConnectSimulator(
  options: ConnectSimulatorServerOptions = {},
): Promise<ConnectSimulatorHandle> {
  const simulator = new ConnectSimulator(options);
  const hang: HangSwitch = { remaining: 0, held: new Set() };
  const server = createServer((request, response) => {
    handle(simulator, hang, request, response).catch((error: unknown) => {
      writeError(response, new ConnectApiError('InternalServiceException', String(error)));
    });
  });
  // Like AWS endpoints, keep idle connections for a minute: a short timeout races clients reusing a socket.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the simulator server is not listening on a TCP port');
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    simulator,
    stats: () => simulator.stats(),
    callRecords: () => simulator.callRecords(),
    setScenario: (input) => simulator.setScenario(input),
    idle: () => simulator.idle(),
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        releaseHeld(hang);
        server.closeAllConnections();
        await simulator.close();
        await stopped;
      })();
      return closing;
    },
  };
}

/** Drops the switch and resets the held connections (their callers see the connection reset). */
function releaseHeld(hang: HangSwitch): number {
  const released = hang.held.size;
  hang.remaining = 0;
  for (const response of hang.held) response.destroy();
  hang.held.clear();
  return released;
}

async function handle(
  simulator: ConnectSimulator,
  hang: HangSwitch,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const path = new URL(request.url ?? '/', 'http://simulator').pathname;
  try {
    if (method === 'PUT' && path === '/contact/outbound-voice') {
      const started = simulator.startOutboundVoiceContact(await readJson(request));
      // Only an accepted call uses up the switch: a throttled or invalid one is answered as usual.
      if (hang.remaining > 0) {
        hang.remaining -= 1;
        hang.held.add(response);
        response.once('close', () => hang.held.delete(response));
        return;
      }
      return writeJson(response, 200, started);
    }
    if (method === 'POST' && path === '/contact/stop') {
      return writeJson(response, 200, simulator.stopContact(await readJson(request)));
    }
    const instance = /^\/instance\/([^/]+)$/.exec(path);
    if (method === 'GET' && instance?.[1]) {
      return writeJson(response, 200, simulator.describeInstance(decodeURIComponent(instance[1])));
    }
    const attributes = /^\/contact\/attributes\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === 'GET' && attributes?.[1] && attributes[2]) {
      const instanceId = decodeURIComponent(attributes[1]);
      return writeJson(response, 200, simulator.getContactAttributes(instanceId, decodeURIComponent(attributes[2])));
    }
    const flows = /^\/contact-flows-summary\/([^/]+)$/.exec(path);
    if (method === 'GET' && flows?.[1]) {
      return writeJson(response, 200, simulator.listContactFlows(decodeURIComponent(flows[1])));
    }
    const describe = /^\/contacts\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === 'GET' && describe?.[1] && describe[2]) {
      const instanceId = decodeURIComponent(describe[1]);
      return writeJson(response, 200, simulator.describeContact(instanceId, decodeURIComponent(describe[2])));
    }
    if (path === '/_sim/hang') return await handleHang(hang, method, request, response);
    if (path.startsWith('/_sim/')) {
      return await handleControl(simulator, method, path, request, response);
    }
    writeError(response, new ConnectApiError('UnknownOperationException', `No operation for ${method} ${path}`));
  } catch (error) {
    if (error instanceof ConnectApiError) return writeError(response, error);
    throw error;
  }
}

async function handleControl(
  simulator: ConnectSimulator,
  method: string,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (method === 'GET' && path === '/_sim/health') return writeJson(response, 200, { status: 'ok' });
  if (method === 'GET' && path === '/_sim/stats') return writeJson(response, 200, simulator.stats());
  if (method === 'GET' && path === '/_sim/calls') return writeJson(response, 200, simulator.callRecords());
  if (method === 'GET' && path === '/_sim/scenario') return writeJson(response, 200, simulator.scenario);
  if (method === 'POST' && path === '/_sim/scenario') {
    try {
      return writeJson(response, 200, simulator.setScenario(await readJson(request)));
    } catch (error) {
      if (error instanceof InvalidScenarioError) return writeJson(response, 400, { message: error.message });
      throw error;
    }
  }
  writeJson(response, 404, { message: `No simulator endpoint ${method} ${path}` });
}

async function handleHang(hang: HangSwitch, method: string, request: IncomingMessage, response: ServerResponse) {
  if (method === 'GET') return writeJson(response, 200, { remaining: hang.remaining, held: hang.held.size });
  if (method === 'DELETE') return writeJson(response, 200, { released: releaseHeld(hang) });
  if (method === 'POST') {
    const parsed = HangRequestSchema.safeParse(await readJson(request));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      return writeJson(response, 400, { message: `invalid hang request: ${problems.join('; ')}` });
    }
    hang.remaining += parsed.data.times;
    return writeJson(response, 200, { remaining: hang.remaining, held: hang.held.size });
  }
  writeJson(response, 404, { message: `No simulator endpoint ${method} /_sim/hang` });
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ConnectApiError('InvalidRequestException', 'Request body too large');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConnectApiError('InvalidRequestException', 'Request body is not valid JSON');
  }
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(payload);
}

/**
 * restJson1 error: status code, the error name in `X-Amzn-Errortype` (the SDK picks the exception
 * class by it), and `{ message }` in the body (the SDK accepts `message` or `Message`).
 */
function writeError(response: ServerResponse, error: ConnectApiError): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const payload = JSON.stringify({ message: error.message });
  response.writeHead(error.statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': error.errorType,
  });
  response.end(payload);
}
