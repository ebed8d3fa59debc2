import { describe, expect, it } from 'vitest';
import {
  forwardedRequestHeaders,
  forwardedResponseHeaders,
  isAllowedRequest,
} from '../../../cli/commands/dashboard.ts';

describe('dashboard proxy', () => {
  it("serves the dashboard's files to anyone, and API requests from its own page only", () => {
    expect(isAllowedRequest({ method: 'GET', host: '127.0.0.1:8080', path: '/' }, 8080)).toBe(true);
    expect(isAllowedRequest({ method: 'GET', host: 'localhost:8080', path: '/assets/app.js' }, 8080)).toBe(true);
    const own = { host: '127.0.0.1:8080', fetchSite: 'same-origin' };
    expect(isAllowedRequest({ ...own, method: 'GET', path: '/campaigns' }, 8080)).toBe(true);
    expect(
      isAllowedRequest({ ...own, method: 'POST', path: '/campaigns/demo/runs', origin: 'http://127.0.0.1:8080' }, 8080),
    ).toBe(true);
  });

  it("refuses API requests that do not come from the proxy's page: other sites' images and forms, bare requests", () => {
    const host = '127.0.0.1:8080';
    expect(
      isAllowedRequest(
        { method: 'GET', host, path: '/campaigns/demo/reports/2026-11-23/contacts.xlsx', fetchSite: 'cross-site' },
        8080,
      ),
    ).toBe(false);
    expect(isAllowedRequest({ method: 'GET', host, path: '/campaigns' }, 8080)).toBe(false);
    expect(isAllowedRequest({ method: 'POST', host, path: '/campaigns/demo/runs/2026-11-23/stop' }, 8080)).toBe(false);
    expect(
      isAllowedRequest({ method: 'GET', host, path: 'http://evil.example/x', fetchSite: 'same-origin' }, 8080),
    ).toBe(false);
    expect(isAllowedRequest({ method: 'GET', host, path: '//evil.example/x', fetchSite: 'same-origin' }, 8080)).toBe(
      false,
    );
  });

  it('refuses another Host (DNS rebinding) and changes from another origin (cross-site posts)', () => {
    expect(isAllowedRequest({ method: 'GET', host: 'evil.example:8080' }, 8080)).toBe(false);
    expect(isAllowedRequest({ method: 'GET', host: '127.0.0.1:9090' }, 8080)).toBe(false);
    expect(isAllowedRequest({ method: 'GET' }, 8080)).toBe(false);
    expect(isAllowedRequest({ method: 'POST', host: '127.0.0.1:8080', origin: 'https://evil.example' }, 8080)).toBe(
      false,
    );
  });

  it('forwards the request headers except per-connection ones, cookies and credentials', () => {
    expect(
      forwardedRequestHeaders({
        host: '127.0.0.1:8080',
        connection: 'keep-alive',
        cookie: 'session=1',
        authorization: 'Basic x',
        'x-amz-date': '20260101T000000Z',
        accept: 'application/json',
        'content-type': 'application/json',
        'content-length': '2',
        'accept-encoding': 'gzip',
      }),
    ).toEqual({ accept: 'application/json', 'content-type': 'application/json', 'accept-encoding': 'gzip' });
  });

  it('passes response headers back, keeping the length of a non-chunked body', () => {
    expect(
      forwardedResponseHeaders({
        'content-type': 'text/html',
        'content-length': '12',
        connection: 'close',
        'set-cookie': ['a=1'],
      }),
    ).toEqual({ 'content-type': 'text/html', 'content-length': '12', 'set-cookie': ['a=1'] });
  });
});
