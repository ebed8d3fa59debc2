/**
 * esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins).
 * `?raw` imports inline a file's text, so the dashboard function carries its static assets
 * (dashboard/, uPlot) in its bundle: one artefact, identical on `npm start` and in AWS.
 * Vitest understands the same suffix natively.
 */
const { readFile } = require('node:fs/promises');
const path = require('node:path');

const rawText = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => {
      const request = args.path.slice(0, -'?raw'.length);
      const resolved = request.startsWith('.')
        ? path.resolve(args.resolveDir, request)
        : require.resolve(request, { paths: [args.resolveDir] });
      return { path: resolved, namespace: 'raw-text' };
    });
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
      watchFiles: [args.path],
    }));
  },
};

module.exports = [rawText];
