/**
 * Runs the Connect simulator on its own:
 *
 *   node local/connect-simulator/cli.ts --port 4569 --scenario scenario.json \
 *     --lambda-function outbound-campaign-engine-dev-callEnded --lambda-endpoint http://localhost:3002
 *
 * then `AWS_ENDPOINT_URL_CONNECT=http://127.0.0.1:4569`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { lambdaEventDelivery } from './lambda-delivery.ts';
import { parseScenario } from './scenario.ts';
import { startConnectSimulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4569' },
    host: { type: 'string', default: '127.0.0.1' },
    scenario: { type: 'string' },
    'call-log': { type: 'string' },
    'lambda-function': { type: 'string' },
    'lambda-endpoint': { type: 'string', default: 'http://localhost:3002' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  throw new Error(`--port must be a TCP port, got "${values.port}"`);
}
const scenario = parseScenario(values.scenario ? JSON.parse(await readFile(values.scenario, 'utf8')) : {});
const functionName = values['lambda-function'];
const simulator = await startConnectSimulator({
  port,
  host: values.host,
  scenario,
  ...(values['call-log'] ? { callLogPath: values['call-log'] } : {}),
  ...(functionName ? { deliver: lambdaEventDelivery({ functionName, endpoint: values['lambda-endpoint'] }) } : {}),
});
console.info(`[connect-simulator] listening on ${simulator.url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
