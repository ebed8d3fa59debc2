// @ts-check
/** The engine's HTTP API, from the page's own origin (served by the API, or by `campaign dashboard`'s signing proxy). */

/** The API answered with an error: status, its code, message and the problems it names. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {{ path: string, message: string }[]} problems
   */
  constructor(status, code, message, problems) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

/** No answer at all: the API (or the network to it) is down. */
export class ApiUnreachable extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ApiUnreachable';
  }
}

/**
 * Calls the API and returns its JSON body.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: BodyInit, headers?: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
export async function api(method, path, options = {}) {
  let response;
  try {
    response = await fetch(path, { method, body: options.body, headers: options.headers, cache: 'no-store' });
  } catch (error) {
    throw new ApiUnreachable(`the API did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.text();
  /** @type {any} */
  let data;
  try {
    data = text === '' ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (response.ok) return data;
  if (response.status >= 502 && data?.error === undefined) {
    throw new ApiUnreachable(`the API answered ${response.status} ${response.statusText}`);
  }
  const error = data?.error;
  throw new ApiError(
    response.status,
    error?.code ?? String(response.status),
    error?.message ?? data?.message ?? (text || response.statusText),
    error?.problems ?? [],
  );
}

/** `/campaigns/{id}` with the id escaped. @param {string} campaignId @param {string} [rest] */
export const campaignPath = (campaignId, rest = '') => `/campaigns/${encodeURIComponent(campaignId)}${rest}`;

/** The API's answer as one line for a person: the message and what it names. @param {unknown} error */
export function describeError(error) {
  if (error instanceof ApiError) {
    if (error.status === 403 && error.code === '403') {
      return 'The API refused the request: this deployment requires AWS IAM signatures. Open the dashboard through `npx campaign dashboard --api <API URL>`, which signs with your AWS credentials.';
    }
    const problems = error.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    return problems ? `${error.message} (${problems})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
