/**
 * SigV4 signing of API requests. In AWS every route of the HTTP API is IAM-authenticated (service `execute-api`);
 * the local API is not, so requests to a loopback host are never signed. Credentials come from the standard chain
 * (environment, SSO, shared config and credentials files, container and instance roles).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { CliError } from './errors.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0']);
const EXECUTE_API_HOST = /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** Whether the API is the local one (not signed). */
export function isLocalApi(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.');
}

/**
 * The region to sign for: the one in an `*.execute-api.<region>.amazonaws.com` host, else `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`), for a custom domain.
 */
export function regionOf(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  return EXECUTE_API_HOST.exec(url.hostname)?.[1] ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
}

/** What a request looks like to the signer. */
export interface RequestToSign {
  method: string;
  url: URL;
  /** Headers to sign (lower-case names); `host` is added. */
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/** Adds the SigV4 headers (`authorization`, `x-amz-date`, …) to a request. */
export interface RequestSigner {
  readonly region: string;
  sign(request: RequestToSign): Promise<Record<string, string>>;
}

/** Static credentials or a provider of them (what SignatureV4 takes). */
export type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];
type CredentialsProvider = Exclude<Credentials, { accessKeyId: string }>;

async function defaultCredentials(): Promise<CredentialsProvider> {
  // Loaded only when signing: the local API needs none of it, and the chain takes a while to import.
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const provider = fromNodeProviderChain();
  return async () => {
    try {
      return await provider();
    } catch (error) {
      throw new CliError(`no AWS credentials to sign requests with: ${(error as Error).message}`, {
        hint: 'configure credentials (AWS_PROFILE, `aws sso login`, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or leave out --api to use the local stack',
      });
    }
  };
}

/**
 * The signer for an API URL, or undefined for the local API.
 * @throws CliError when the region cannot be told from the URL or the environment.
 */
export async function createSigner(
  url: URL,
  env: NodeJS.ProcessEnv,
  credentials?: Credentials,
): Promise<RequestSigner | undefined> {
  if (isLocalApi(url)) return undefined;
  if (url.protocol !== 'https:') {
    throw new CliError(`refusing to send AWS-signed requests to ${url.origin} over plain HTTP`, {
      hint: 'use the https:// address of the API (an AWS API is always https), or a local API on localhost',
    });
  }
  const region = regionOf(url, env);
  if (region === undefined) {
    throw new CliError(`cannot tell the AWS region of ${url.origin}`, {
      hint: 'set AWS_REGION, or use the execute-api URL (https://<id>.execute-api.<region>.amazonaws.com)',
    });
  }
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: credentials ?? (await defaultCredentials()),
    sha256: Sha256,
  });
  return {
    region,
    async sign(request) {
      const query: Record<string, string | string[]> = {};
      for (const [name, value] of request.url.searchParams) {
        const existing = query[name];
        query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      const signed = await signer.sign({
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        ...(request.url.port !== '' && { port: Number(request.url.port) }),
        path: request.url.pathname,
        query,
        headers: { ...request.headers, host: request.url.host },
        body: request.body,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) {
        // fetch and node:http set the host header from the URL themselves.
        if (name.toLowerCase() !== 'host') headers[name.toLowerCase()] = value;
      }
      return headers;
    },
  };
}
