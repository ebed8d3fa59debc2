/**
 * `npm start`: brings up the local cloud (DynamoDB Local, serverless-offline with S3, Step Functions,
 * SNS and the Amazon Connect simulator), loads the demo campaign and prints where everything is.
 * Ctrl-C or SIGTERM stops every component, Java included.
 */
import { startLocalCloud } from './cloud.ts';
import { startLocalConnect } from './connect.ts';
import { loadDemo } from './demo.ts';
import { JavaMissingError } from './dynamodb.ts';
import { formatDynamoDbFaults } from './dynamodb-fault-settings.ts';
import { stopAllProcesses } from './processes.ts';
import { localSettings } from './settings.ts';

const colours: Record<string, string> = {
  local: '1',
  dynamodb: '34',
  offline: '36',
  sns: '33',
  sfn: '35',
  connect: '32',
  streams: '34',
  demo: '1;32',
};

function log(component: string, line: string): void {
  const colour = process.stdout.isTTY ? (colours[component] ?? '0') : undefined;
  const label = component.padEnd(8);
  process.stdout.write(colour ? `\x1b[${colour}m${label}\x1b[0m ${line}\n` : `${label} ${line}\n`);
}

async function main(): Promise<void> {
  const settings = localSettings();
  log('local', `campaign engine local cloud, Node ${process.version}, stage "${settings.LOCAL_STAGE}"`);
  if (!process.version.startsWith('v22.')) {
    log(
      'local',
      `warning: Lambda runs nodejs22.x, this is ${process.version}; run through npm so the pinned Node 22 is used`,
    );
  }
  let stopping = false;
  let cloud: Awaited<ReturnType<typeof startLocalCloud>> | undefined;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('local', `${signal}: stopping every component...`);
    await cloud?.stop();
    await stopAllProcesses();
    log('local', 'stopped; nothing left running');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  cloud = await startLocalCloud({ settings, log, startConnect: (context) => startLocalConnect(context, log) });
  const { endpoints } = cloud;
  const health = await fetch(`${endpoints.api}/health`).then((response) => response.json());
  log('local', `health: ${JSON.stringify(health)}`);
  if (settings.LOCAL_DEMO) {
    await loadDemo(cloud, (line) => log('demo', line));
  }
  log(
    'local',
    [
      'ready:',
      `  Dashboard        ${endpoints.api.replace('127.0.0.1', 'localhost')}/  (open it in a browser)`,
      `  API              ${endpoints.api}  (try: curl ${endpoints.api}/health)`,
      `  Lambda invoke    ${endpoints.lambda}`,
      `  DynamoDB Local   ${endpoints.dynamodb}  (through the fault proxy, faults ${formatDynamoDbFaults(settings.LOCAL_DYNAMODB_FAULTS)}; ` +
        `switch with ${endpoints.dynamodb}/__faults, counts in ${settings.LOCAL_STATE_DIR}/dynamodb-faults.json)`,
      `  S3               ${endpoints.s3}`,
      `  Step Functions   ${endpoints.sfn}`,
      `  SNS              ${endpoints.sns}  (messages in ${settings.LOCAL_STATE_DIR}/sns.jsonl)`,
      `  Connect (sim)    ${endpoints.connect}  (calls in ${settings.LOCAL_STATE_DIR}/calls.jsonl)`,
      `  Athena (DuckDB)  ${endpoints.athena}  (analytics; SQL prompt: npm run analytics:sql)`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

main().catch(async (error: unknown) => {
  if (error instanceof JavaMissingError) {
    log('local', error.message);
  } else {
    log('local', `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  await stopAllProcesses();
  process.exit(1);
});
