import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ASSETS, handler } from '../../../../functions/handlers/http/dashboard.ts';
import type { HttpEvent } from '../../../../functions/lib/http.ts';

const get = (rawPath: string, headers: Record<string, string> = {}) =>
  handler({ rawPath, headers, requestContext: { http: { method: 'GET' } } } as unknown as HttpEvent, {} as Context);

describe('dashboard files', () => {
  it('serves the page and each asset with its content type, no caching without revalidation, and a strict CSP', async () => {
    for (const [path, asset] of ASSETS) {
      const response = await get(path);
      expect(response.statusCode, path).toBe(200);
      expect(response.body, path).toBe(asset.body);
      expect(response.headers).toMatchObject({
        'content-type': asset.contentType,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      expect(String(response.headers?.['content-security-policy'])).toContain("script-src 'self'");
    }
    expect((await get('/')).body).toContain('<script type="module" src="/assets/app.js">');
  });

  it('answers 304 to a revalidation of an unchanged file', async () => {
    const first = await get('/assets/app.js');
    const again = await get('/assets/app.js', { 'if-none-match': String(first.headers?.etag) });
    expect(again).toMatchObject({ statusCode: 304, body: '' });
  });

  it('answers 404 for a path that is not part of the dashboard', async () => {
    const response = await get('/assets/secrets.json');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('/assets/secrets.json');
  });

  it('serves every file the page and its modules load', () => {
    const html = ASSETS.get('/')?.body ?? '';
    const referenced = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
    for (const [path, asset] of ASSETS) {
      if (!path.endsWith('.js')) continue;
      for (const match of asset.body.matchAll(/^import [^;]*? from '\.\/([^']+)';$/gm)) {
        referenced.push(`/assets/${match[1]}`);
      }
    }
    expect(referenced.length).toBeGreaterThan(8);
    for (const path of referenced) expect(ASSETS.has(String(path)), String(path)).toBe(true);
  });
});
