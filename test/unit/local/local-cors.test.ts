/**
 * The local API answers CORS for its own dashboard's origin only (issue 15: serverless-offline echoed any Origin with
 * credentials allowed). A hapi server with serverless-offline's CORS extension, as offline registers it, behind the
 * restriction.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const hapi = require('@hapi/hapi') as {
  server(options?: object): {
    ext(event: string, method: (request: never, h: never) => unknown): void;
    route(route: object): void;
    inject(request: object): Promise<{ statusCode: number; headers: Record<string, string | undefined> }>;
  };
};
const { allowedOriginsOf, restrictCors } = require('../../../local/local-cors.cjs') as {
  allowedOriginsOf(settings: { corsAllowOrigin?: string }): Set<string>;
  restrictCors(hapiModule: unknown, origins: ReadonlySet<string>): void;
};

/** A server as serverless-offline builds it: an onPreResponse that echoes any Origin with credentials. */
function offlineLikeServer() {
  const server = hapi.server();
  server.ext('onPreResponse', ((
    request: { headers: Record<string, string>; response: { headers: Record<string, string> } },
    h: { continue: symbol },
  ) => {
    if (request.headers.origin) {
      request.response.headers['access-control-allow-origin'] = request.headers.origin;
      request.response.headers['access-control-allow-credentials'] = 'true';
    }
    return h.continue;
  }) as never);
  server.route({ method: 'GET', path: '/campaigns/demo/reports/2026-12-04', handler: () => ({ contacts: 60 }) });
  server.route({ method: 'OPTIONS', path: '/campaigns/demo/reports/2026-12-04', handler: () => '' });
  return server;
}

describe('local CORS', () => {
  const own = allowedOriginsOf({ corsAllowOrigin: 'http://localhost:3000, http://127.0.0.1:3000' });
  restrictCors(hapi, own);

  it('reads the allowed origins from the serverless-offline settings, never a wildcard', () => {
    expect([...own]).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect([...allowedOriginsOf({ corsAllowOrigin: '*' })]).toEqual([]);
  });

  it('gives another page no CORS headers, so its browser keeps the report from it', async () => {
    const response = await offlineLikeServer().inject({
      method: 'GET',
      url: '/campaigns/demo/reports/2026-12-04',
      headers: { origin: 'https://evil.example' },
    });

    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('refuses another page a preflight', async () => {
    const response = await offlineLikeServer().inject({
      method: 'OPTIONS',
      url: '/campaigns/demo/reports/2026-12-04',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });

    expect(response.statusCode).toBe(403);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("answers the dashboard's own origin, and requests without an Origin, as before", async () => {
    const server = offlineLikeServer();
    const dashboard = await server.inject({
      method: 'GET',
      url: '/campaigns/demo/reports/2026-12-04',
      headers: { origin: 'http://localhost:3000' },
    });
    const curl = await server.inject({ method: 'GET', url: '/campaigns/demo/reports/2026-12-04' });

    expect(dashboard.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(curl.statusCode).toBe(200);
  });
});
