/**
 * CORS for the local API: only its own dashboard's origin. serverless-offline answers every request that carries an
 * Origin with `access-control-allow-origin: <that origin>` and `access-control-allow-credentials: true`, preflight
 * or not, so any web page open on the laptop could read the local stack's reports (issue 15). The local API has no
 * authorisation (`noAuth`), so the browser's same-origin rule is all that keeps other pages out: this restores it.
 *
 * serverless-offline keeps its hapi server to itself; it adds its CORS headers in an `onPreResponse` extension.
 * `restrictCors` wraps every `onPreResponse` extension registered afterwards: for a request from another origin the
 * extension still runs, then every `access-control-*` header is removed (the browser then keeps the answer from the
 * page) and a preflight is refused with 403. Requests without an Origin (curl, the CLI) are untouched. AWS is not
 * concerned: there the dashboard is served from the API's own origin and every data route requires SigV4.
 */
'use strict';

const PATCHED = Symbol.for('campaign-engine.local-cors');

/**
 * Wraps `onPreResponse` extensions of every hapi server created after the call.
 * @param {{ server(options?: object): object }} hapi - `require('@hapi/hapi')`.
 * @param {ReadonlySet<string>} allowedOrigins - e.g. `http://localhost:3000`.
 */
function restrictCors(hapi, allowedOrigins) {
  const prototype = Object.getPrototypeOf(hapi.server({ autoListen: false }));
  if (prototype[PATCHED] !== undefined) {
    prototype[PATCHED].clear();
    for (const origin of allowedOrigins) prototype[PATCHED].add(origin);
    return;
  }
  const allowed = new Set(allowedOrigins);
  const originalExt = prototype.ext;
  prototype[PATCHED] = allowed;
  prototype.ext = function ext(event, method, options) {
    if (event !== 'onPreResponse' || typeof method !== 'function')
      return originalExt.call(this, event, method, options);
    const guarded = function guardedOnPreResponse(request, h) {
      const origin = request.headers.origin;
      const result = method.call(this, request, h);
      if (origin === undefined || allowed.has(origin)) return result;
      const response = request.response?.isBoom ? request.response.output : request.response;
      if (response?.headers) {
        for (const name of Object.keys(response.headers)) {
          if (name.toLowerCase().startsWith('access-control-')) delete response.headers[name];
        }
        if (request.method === 'options') response.statusCode = 403;
      }
      return result;
    };
    return originalExt.call(this, event, guarded, options);
  };
}

/** The origins allowed by `custom.serverless-offline.corsAllowOrigin` (comma-separated). */
function allowedOriginsOf(offlineSettings) {
  const configured = String(offlineSettings?.corsAllowOrigin || '');
  return new Set(
    configured
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '' && origin !== '*'),
  );
}

module.exports = { restrictCors, allowedOriginsOf };
