/**
 * GET / and GET /assets/{file}: the web dashboard, served by the HTTP API itself (same origin, no other server).
 * The files are inlined into this function's bundle (`?raw` imports), so a deployment ships the dashboard that
 * matches its API. Only static files: every piece of data the page shows comes from the signed API routes.
 */
import { createHash } from 'node:crypto';
import uplotJs from 'uplot/dist/uPlot.esm.js?raw';
import uplotCss from 'uplot/dist/uPlot.min.css?raw';
import analysisViewJs from '../../../dashboard/analysis-view.js?raw';
import apiJs from '../../../dashboard/api.js?raw';
import appJs from '../../../dashboard/app.js?raw';
import chartsJs from '../../../dashboard/charts.js?raw';
import formatJs from '../../../dashboard/format.js?raw';
import indexHtml from '../../../dashboard/index.html?raw';
import runViewJs from '../../../dashboard/run-view.js?raw';
import styleCss from '../../../dashboard/style.css?raw';
import uploadJs from '../../../dashboard/upload.js?raw';
import { httpHandler } from '../../lib/http.ts';

interface Asset {
  contentType: string;
  body: string;
  etag: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

function asset(contentType: string, body: string): Asset {
  return { contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** Every file the page loads, by URL path. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/', asset('text/html; charset=utf-8', indexHtml)],
  ['/assets/app.js', asset(JS, appJs)],
  ['/assets/analysis-view.js', asset(JS, analysisViewJs)],
  ['/assets/api.js', asset(JS, apiJs)],
  ['/assets/charts.js', asset(JS, chartsJs)],
  ['/assets/format.js', asset(JS, formatJs)],
  ['/assets/run-view.js', asset(JS, runViewJs)],
  ['/assets/upload.js', asset(JS, uploadJs)],
  ['/assets/style.css', asset(CSS, styleCss)],
  ['/assets/uplot.js', asset(JS, uplotJs)],
  ['/assets/uplot.css', asset(CSS, uplotCss)],
]);

/**
 * Where the page PUTs large lists: the S3 endpoint of the presigned upload URLs (path-style addressing). The SDK
 * takes it from `AWS_ENDPOINT_URL_S3` when set (the local S3 on `npm start`), else it is the region's S3 endpoint.
 */
export function storageOrigin(env: Readonly<Record<string, string | undefined>>): string {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && endpoint !== '') return new URL(endpoint).origin;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  return `https://s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/**
 * Scripts and styles from this origin only; the page talks to this API and PUTs large lists straight to the
 * uploads bucket's presigned URL, and to nothing else.
 */
export function contentSecurityPolicy(env: Readonly<Record<string, string | undefined>>): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${storageOrigin(env)}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const SECURITY_HEADERS = {
  'content-security-policy': contentSecurityPolicy(process.env),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export const handler = httpHandler(async (event) => {
  const path = event.rawPath === '' ? '/' : event.rawPath;
  const found = ASSETS.get(path);
  if (found === undefined) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS },
      body: `${path} is not part of the dashboard`,
    };
  }
  // Revalidated on every load: a deployment's new dashboard is seen at once, an unchanged one costs a 304.
  const headers = {
    'content-type': found.contentType,
    'cache-control': 'no-cache',
    etag: found.etag,
    ...SECURITY_HEADERS,
  };
  if (event.headers?.['if-none-match'] === found.etag) return { statusCode: 304, headers, body: '' };
  return { statusCode: 200, headers, body: found.body };
});
