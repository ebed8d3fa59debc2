/**
 * Every AWS call a function's code can make is allowed by that function's own role (`iamRoleStatements` in
 * serverless.yml), and the roles grant nothing the code never asks for. Locally IAM is not enforced (DynamoDB Local,
 * serverless-offline), so without this a missing permission only shows up in AWS.
 *
 * How, per function of serverless.yml (nothing is packaged, nothing leaves the machine):
 * 1. esbuild bundles its handler export (`functions/handlers/http/runs.status` → `export { status }` of
 *    `functions/handlers/http/runs.ts`), packages external, for the project modules deployed with it.
 * 2. The TypeScript checker follows the code reachable from that export within those modules: what the handler
 *    refers to, what that refers to, and so on. A method is reached when reachable code names it, so a function
 *    that uses one method of a store is not charged with the store's other calls. Also reached: the top-level code
 *    of every bundled module (it runs at load); for a call through an interface or type literal, the methods of
 *    that name of every bundled class satisfying it; for a call on an `any` receiver, every bundled method of that
 *    name. Packages are not loaded (their imports are `any`), which keeps it fast and only widens what is reached.
 * 3. In the reachable code, every `new X(…)` of an `@aws-sdk/*` import maps to IAM actions through COMMAND_ACTIONS
 *    (presigning included: a presigned URL carries the signing role's permissions). A TransactWriteItems is
 *    authorised per item: it needs the actions of the item kinds (`Put:`, `Update:`, `Delete:`, `ConditionCheck:`)
 *    in the reachable code. `IndexName: '<name>'` needs dynamodb:Query on that index's ARN.
 * 4. In the same reachable code, every use of a key builder of functions/core/keys.ts (outside keys.ts itself) names
 *    a partition kind (PARTITIONS): the `dynamodb:LeadingKeys` patterns of the function's DynamoDB statements must
 *    match every partition of those kinds, and no partition of any other kind (docs/security.md, "Least privilege").
 * It over-approximates (a reached method may branch around a call), never the other way round: an SDK command
 * missing from COMMAND_ACTIONS, or a key builder missing from PARTITIONS, fails the test instead of being skipped.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CollectionTag, parseDocument, type ScalarTag } from 'yaml';
import * as keys from '../../../functions/core/keys.ts';

/** The IAM actions each AWS SDK v3 command (or other class sending requests) needs, by package. */
const COMMAND_ACTIONS: Record<string, Record<string, string[]>> = {
  '@aws-sdk/lib-dynamodb': {
    GetCommand: ['dynamodb:GetItem'],
    PutCommand: ['dynamodb:PutItem'],
    UpdateCommand: ['dynamodb:UpdateItem'],
    DeleteCommand: ['dynamodb:DeleteItem'],
    QueryCommand: ['dynamodb:Query'],
    ScanCommand: ['dynamodb:Scan'],
    BatchGetCommand: ['dynamodb:BatchGetItem'],
    BatchWriteCommand: ['dynamodb:BatchWriteItem'],
    TransactGetCommand: ['dynamodb:GetItem'],
    TransactWriteCommand: [], // the actions of its items (TRANSACT_ITEM_ACTIONS)
  },
  '@aws-sdk/client-dynamodb': {
    DescribeTableCommand: ['dynamodb:DescribeTable'],
    GetItemCommand: ['dynamodb:GetItem'],
    PutItemCommand: ['dynamodb:PutItem'],
    UpdateItemCommand: ['dynamodb:UpdateItem'],
    DeleteItemCommand: ['dynamodb:DeleteItem'],
    QueryCommand: ['dynamodb:Query'],
    ScanCommand: ['dynamodb:Scan'],
    BatchGetItemCommand: ['dynamodb:BatchGetItem'],
    BatchWriteItemCommand: ['dynamodb:BatchWriteItem'],
    TransactGetItemsCommand: ['dynamodb:GetItem'],
    TransactWriteItemsCommand: [], // the actions of its items (TRANSACT_ITEM_ACTIONS)
  },
  '@aws-sdk/client-s3': {
    GetObjectCommand: ['s3:GetObject'],
    HeadObjectCommand: ['s3:GetObject'],
    PutObjectCommand: ['s3:PutObject'],
    DeleteObjectCommand: ['s3:DeleteObject'],
    CreateMultipartUploadCommand: ['s3:PutObject'],
    UploadPartCommand: ['s3:PutObject'],
    CompleteMultipartUploadCommand: ['s3:PutObject'],
    AbortMultipartUploadCommand: ['s3:AbortMultipartUpload'],
    HeadBucketCommand: ['s3:ListBucket'],
    ListObjectsV2Command: ['s3:ListBucket'],
    DeleteObjectsCommand: ['s3:DeleteObject'],
  },
  // Athena reads the catalogue and the data and writes the results with the caller's permissions.
  '@aws-sdk/client-athena': {
    StartQueryExecutionCommand: [
      'athena:StartQueryExecution',
      'glue:GetDatabase',
      'glue:GetTable',
      'glue:GetTables',
      'glue:GetPartition',
      'glue:GetPartitions',
      's3:GetBucketLocation',
      's3:ListBucket',
      's3:GetObject',
      's3:PutObject',
      's3:AbortMultipartUpload',
    ],
    GetQueryExecutionCommand: ['athena:GetQueryExecution'],
    GetQueryResultsCommand: ['athena:GetQueryResults', 's3:GetObject'],
    StopQueryExecutionCommand: ['athena:StopQueryExecution'],
  },
  '@aws-sdk/lib-storage': {
    Upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
  },
  '@aws-sdk/client-sns': {
    PublishCommand: ['sns:Publish'],
    GetTopicAttributesCommand: ['sns:GetTopicAttributes'],
  },
  '@aws-sdk/client-sfn': {
    StartExecutionCommand: ['states:StartExecution'],
    DescribeStateMachineCommand: ['states:DescribeStateMachine'],
    DescribeExecutionCommand: ['states:DescribeExecution'],
    StopExecutionCommand: ['states:StopExecution'],
  },
  '@aws-sdk/client-connect': {
    StartOutboundVoiceContactCommand: ['connect:StartOutboundVoiceContact'],
    DescribeContactCommand: ['connect:DescribeContact'],
    GetContactAttributesCommand: ['connect:GetContactAttributes'],
    StopContactCommand: ['connect:StopContact'],
    DescribeInstanceCommand: ['connect:DescribeInstance'],
  },
  '@aws-sdk/client-sqs': {
    SendMessageCommand: ['sqs:SendMessage'],
  },
  '@aws-sdk/client-lambda': {
    InvokeCommand: ['lambda:InvokeFunction'],
  },
  '@aws-sdk/client-secrets-manager': {
    GetSecretValueCommand: ['secretsmanager:GetSecretValue'],
  },
};

/** A TransactWriteItems is authorised item by item. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};
const TRANSACT_WRITES = new Set(['TransactWriteCommand', 'TransactWriteItemsCommand']);

/**
 * Per function, SDK commands the analysis reaches but the function cannot send ("imported but not called"), each
 * with why. None today; every entry is a call this test no longer guards, so prefer making the code say it.
 */
const NOT_CALLED: Record<string, Array<{ command: string; reason: string }>> = {};

/** Grants a function needs for something other than its code: Lambda features configured in serverless.yml. */
const configuredNeeds = (fn: FunctionConfig): string[] => [
  // An asynchronous invocation's failure is sent to its SQS destination with the function's role.
  ...(fn.destinations?.onFailure?.type === 'sqs' ? ['sqs:SendMessage'] : []),
  // A stream event source mapping reads the stream with the function's role, and sends a batch it gives up on to
  // its on-failure destination.
  ...(fn.events ?? []).flatMap((event) =>
    event.stream === undefined
      ? []
      : [
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:DescribeStream',
          'dynamodb:ListStreams',
          ...(event.stream.destinations?.onFailure?.type === 'sqs' ? ['sqs:SendMessage'] : []),
        ],
  ),
];

const root = resolve(import.meta.dirname, '../../..');
const KEYS_FILE = resolve(root, 'functions/core/keys.ts');

/** Campaign ids and dates as the API accepts them (`[a-z0-9][a-z0-9-]{0,62}`, `YYYY-MM-DD`), the odd ones included. */
const CAMPAIGNS = ['a', 'spring-survey', '0', 'b1-2026-01-01', 'x'.repeat(63)];
const DATES = ['2026-03-02', '1999-12-31'];
const runs = CAMPAIGNS.flatMap((campaignId) => DATES.map((date) => [campaignId, date] as const));

/**
 * The partition kinds of the table: the key builders of functions/core/keys.ts that address each, and partitions
 * of that kind made by the builders themselves. `index`: the kind is the partition key of that index, not the table's.
 */
const PARTITIONS: Record<string, { builders: string[]; samples: string[]; index?: string }> = {
  run: {
    builders: ['runPartition', 'runKey', 'listKey', 'exportJobKey', 'sampleKey', 'estimateKey'],
    samples: runs.map(([campaignId, date]) => keys.runPartition(campaignId, date)),
  },
  bucket: {
    builders: ['runBucketPartition', 'runCountersKey', 'runUsageKey', 'contactKey', 'answerKey', 'followUpKey'],
    samples: runs.flatMap(([campaignId, date]) =>
      keys.RUN_BUCKET_NUMBERS.map((bucket) => keys.runBucketPartition(campaignId, date, bucket)),
    ),
  },
  lines: {
    builders: ['lineShardPartition', 'lineShardKey', 'leaseKey'],
    samples: [0, 1, 42, 99].map(keys.lineShardPartition),
  },
  pacing: { builders: ['dialRateKey'], samples: [keys.dialRateKey.pk] },
  activeRuns: { builders: ['ACTIVE_RUNS_PARTITION', 'activeRunKey'], samples: [keys.ACTIVE_RUNS_PARTITION] },
  call: {
    builders: ['callKey'],
    samples: ['0a19d23a-ed5c-44bc-8017-123456789012', 'x'].map((contactId) => keys.callKey(contactId).pk),
  },
  doNotCall: {
    builders: ['DO_NOT_CALL_PARTITION', 'doNotCallKey', 'hashedDoNotCallKey'],
    samples: [keys.DO_NOT_CALL_PARTITION],
  },
  person: {
    builders: ['PERSON_PREFIX', 'personLedgerKey'],
    samples: ['+48601234567', '+12025550123'].map((phone) => keys.personLedgerKey(phone).pk),
  },
  callerNumber: {
    builders: ['callerUsageKey'],
    samples: ['+48221234567', '+442071234567'].map((number) => keys.callerUsageKey(number).pk),
  },
  audit: {
    builders: ['auditPartition', 'auditKey'],
    samples: ['2026-03-02', '2026-12-31'].map(keys.auditPartition),
  },
  erasures: {
    builders: ['erasureKey'],
    samples: [new Date('2026-03-02T10:00:00Z'), new Date('2026-12-31T23:59:59Z')].map(
      (at) => keys.erasureKey(at, 'e').pk,
    ),
  },
  campaigns: { builders: ['CAMPAIGNS_PARTITION', 'campaignKey'], samples: [keys.CAMPAIGNS_PARTITION] },
  alerts: { builders: ['ALERTS_PARTITION', 'alertKey'], samples: [keys.ALERTS_PARTITION] },
  analytics: {
    builders: ['ANALYTICS_PARTITION', 'dimensionRegistryKey'],
    samples: [keys.dimensionRegistryKey('a', 'region').pk],
  },
  phoneIndex: {
    builders: ['phoneIndexPartition'],
    samples: ['+48601234567', '+12025550123'].map(keys.phoneIndexPartition),
    index: 'gsi2',
  },
  due: {
    builders: ['duePartition'],
    samples: runs.map(([campaignId, date]) => keys.duePartition(campaignId, date)),
    index: 'gsi1',
  },
};
/**
 * Partitions a function reaches with keys an index query returned, not keys its code builds: a person's data is
 * found through the phone index, which lists contacts, answers and follow-ups in their run's bucket partitions.
 */
const FOUND_THROUGH_INDEXES: Record<string, { kinds: string[]; reason: string }> = {
  personShow: { kinds: ['bucket'], reason: 'the bucket partitions the phone index (gsi2) lists for the number' },
  personForget: { kinds: ['bucket'], reason: 'the bucket partitions the phone index (gsi2) lists for the number' },
};

/** Exports of keys.ts that address no partition (sort-key parts, object keys, the bucket hash). */
const NOT_PARTITIONS = new Set([
  'RUN_BUCKETS',
  'bucketOf',
  'RUN_BUCKET_NUMBERS',
  'CONTACT_PREFIX',
  'dueSortKey',
  'LEASE_PREFIX',
  'LIST_PREFIX',
  'LIST_OBJECTS_PREFIX',
  'listObjectKey',
  'rejectedRowsObjectKey',
  'parseListObjectKey',
  'ANSWER_PREFIX',
  'FOLLOW_UP_PREFIX',
  'EXPORT_PREFIX',
  'SAMPLE_PREFIX',
]);
const kindOfBuilder = new Map(
  Object.entries(PARTITIONS).flatMap(([kind, { builders }]) => builders.map((builder) => [builder, kind])),
);

// ---------------------------------------------------------------------------------------------------------------
// serverless.yml. CloudFormation short forms become readable strings: `!GetAtt MainTable.Arn` → "${MainTable.Arn}".

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface FunctionConfig {
  handler: string;
  iamRoleStatements?: Statement[];
  destinations?: { onFailure?: { type?: string } };
  events?: Array<{ stream?: { destinations?: { onFailure?: { type?: string } } } }>;
}

const intrinsic = (name: string, render: (value: unknown) => unknown): Array<ScalarTag | CollectionTag> => [
  { tag: `!${name}`, resolve: (value: string) => render(value) },
  { tag: `!${name}`, collection: 'seq', resolve: (value) => render(value.toJSON()) },
  { tag: `!${name}`, collection: 'map', resolve: (value) => render(value.toJSON()) },
];
const cloudFormationTags = [
  ...intrinsic('Ref', (value) => `\${${value}}`),
  ...intrinsic('GetAtt', (value) => `\${${[value].flat().join('.')}}`),
  ...intrinsic('Sub', (value) => (typeof value === 'string' ? value : { 'Fn::Sub': value })),
  ...['Not', 'Equals', 'Select', 'Split', 'Join', 'If', 'And', 'Or', 'Condition', 'FindInMap', 'ImportValue'].flatMap(
    (name) => intrinsic(name, (value) => ({ [`Fn::${name}`]: value })),
  ),
];

function readFunctions(): Record<string, FunctionConfig> {
  const text = readFileSync(resolve(root, 'serverless.yml'), 'utf8');
  const document = parseDocument(text, { customTags: cloudFormationTags });
  if (document.errors.length > 0) throw new Error(`serverless.yml: ${document.errors.join('; ')}`);
  return (document.toJS() as { functions: Record<string, FunctionConfig> }).functions;
}

const allowStatements = (fn: FunctionConfig) => (fn.iamRoleStatements ?? []).filter((s) => s.Effect === 'Allow');
const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOf = (statement: Statement) => [statement.Resource ?? []].flat().map(String);
const pattern = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
const allows = (statement: Statement, action: string) => actionsOf(statement).some((a) => pattern(a).test(action));
const indexOf = (resource: string) => /\/index\/([^/]+)$/.exec(resource)?.[1];

// ---------------------------------------------------------------------------------------------------------------
// The code reachable from each handler.

/** Something the code does, and where. */
interface Found {
  what: string;
  where: string;
}
interface Requirement extends Found {
  action: string;
  /** The DynamoDB index the grant must name, if any. */
  index?: string;
}
/** What one piece of code (a function, a method, a module's top level...) refers to and sends. */
interface CodeFacts {
  /** Code it makes reachable by referring to it. */
  reaches: ts.Node[];
  /** Members of interfaces and type literals it calls. */
  calls: Array<ts.MethodSignature | ts.PropertySignature>;
  /** Names of methods it calls on `any` receivers. */
  anyCalls: string[];
  commands: Array<Found & { module: string; name: string }>;
  transactItems: Array<Found & { kind: string }>;
  indexes: Array<Found & { index: string }>;
  /** Key builders of functions/core/keys.ts it uses. */
  keys: Array<Found & { builder: string }>;
}
/** What a function's code can send, and the keys it can build. */
type Sends = Pick<CodeFacts, 'commands' | 'transactItems' | 'indexes' | 'keys'>;

const handlerOf = (fn: FunctionConfig) => {
  const dot = fn.handler.lastIndexOf('.');
  return { file: resolve(root, `${fn.handler.slice(0, dot)}.ts`), exportName: fn.handler.slice(dot + 1) };
};

/** The project modules deployed with each function, from esbuild's metafile. */
async function bundledModules(functions: Record<string, FunctionConfig>): Promise<Map<string, string[]>> {
  const entries: Plugin = {
    name: 'function-entries',
    setup(setup) {
      setup.onResolve({ filter: /^function:/ }, ({ path }) => ({
        path: path.slice('function:'.length),
        namespace: 'fn',
      }));
      setup.onLoad({ filter: /.*/, namespace: 'fn' }, ({ path }) => {
        const { file, exportName } = handlerOf(functions[path] as FunctionConfig);
        return { contents: `export { ${exportName} } from ${JSON.stringify(file)};`, resolveDir: root, loader: 'js' };
      });
      // The dashboard's `?raw` imports are text, not code.
      setup.onResolve({ filter: /\?raw$/ }, ({ path }) => ({ path, external: true }));
    },
  };
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: Object.keys(functions).map((name) => `function:${name}`),
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'iam-coverage',
    packages: 'external',
    logLevel: 'silent',
    plugins: [entries],
  });
  const modules = new Map<string, string[]>();
  for (const { entryPoint, inputs } of Object.values(metafile.outputs)) {
    if (entryPoint === undefined) continue;
    const files = Object.keys(inputs).filter((input) => !input.startsWith('fn:'));
    const unreadable = files.filter((file) => !/\.(ts|json)$/.test(file));
    if (unreadable.length > 0) throw new Error(`only TypeScript is analysed, not ${unreadable.join(', ')}`);
    modules.set(
      entryPoint.slice('fn:'.length),
      files.map((file) => resolve(root, file)),
    );
  }
  return modules;
}

/** The project's modules as a TypeScript program; imports of packages stay unresolved (`any`). */
function projectProgram(files: string[]): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    lib: ['lib.es2023.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  host.resolveModuleNameLiterals = (literals, containingFile) =>
    literals.map((literal) =>
      literal.text.startsWith('.')
        ? ts.resolveModuleName(literal.text, containingFile, options, host)
        : { resolvedModule: undefined },
    );
  return ts.createProgram(files, options, host);
}

const isFunctionLike = (node: ts.Node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isAccessor(node);

/** `f(…)`, `new F(…)`, `(() => …)()`: the node is what gets called. */
const isCalled = (node: ts.Node): boolean => {
  let callee = node;
  while (ts.isParenthesizedExpression(callee.parent)) callee = callee.parent;
  return (
    (ts.isCallExpression(callee.parent) || ts.isNewExpression(callee.parent)) && callee.parent.expression === callee
  );
};

/** An identifier naming something (not the name being declared, not the member of a property access). */
const isReference = (node: ts.Identifier) =>
  ts.isShorthandPropertyAssignment(node.parent) || (node.parent as { name?: ts.Node }).name !== node;

const where = (node: ts.Node) => {
  const file = node.getSourceFile();
  return `${relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};

/** Reachability over a program: facts are worked out once per piece of code and shared by all functions. */
class Reachability {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;
  private readonly facts = new Map<ts.Node, CodeFacts>();
  private readonly assignable = new Map<ts.ClassDeclaration, Map<ts.Node, boolean>>();

  constructor(program: ts.Program) {
    this.program = program;
    this.checker = program.getTypeChecker();
  }

  /** What a function's handler can send: everything the handler and the bundled modules' top levels reach. */
  of(modules: string[], handler: { file: string; exportName: string }): Sends {
    const inBundle = new Set(modules);
    const files = modules.flatMap((file) => this.program.getSourceFile(file) ?? []);
    const classes = files.flatMap((file) => file.statements.filter(ts.isClassDeclaration));
    const entry = this.program.getSourceFile(handler.file);
    const module = entry && this.checker.getSymbolAtLocation(entry);
    const exported = module && this.checker.tryGetMemberInModuleExports(handler.exportName, module);
    if (exported === undefined)
      throw new Error(`${relative(root, handler.file)} does not export ${handler.exportName}`);

    const result: Sends = { commands: [], transactItems: [], indexes: [], keys: [] };
    const reached = new Set<ts.Node>();
    const queue: ts.Node[] = [...files, ...this.resolve(exported).flatMap((d) => this.reachedBy(d))];
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      if (reached.has(node) || !inBundle.has(node.getSourceFile().fileName)) continue;
      reached.add(node);
      const facts = this.factsOf(node);
      result.commands.push(...facts.commands);
      result.transactItems.push(...facts.transactItems);
      result.indexes.push(...facts.indexes);
      result.keys.push(...facts.keys);
      queue.push(...facts.reaches);
      for (const member of facts.calls) queue.push(...this.implementations(member, classes));
      for (const name of facts.anyCalls) queue.push(...membersNamed(name, classes));
    }
    return result;
  }

  /** The facts of a piece of code; of a module, its code that runs at load. */
  private factsOf(node: ts.Node): CodeFacts {
    const cached = this.facts.get(node);
    if (cached !== undefined) return cached;
    const facts: CodeFacts = {
      reaches: [],
      calls: [],
      anyCalls: [],
      commands: [],
      transactItems: [],
      indexes: [],
      keys: [],
    };
    const visit = (child: ts.Node, atLoad: boolean) => {
      if (ts.isTypeNode(child) || ts.isInterfaceDeclaration(child) || ts.isTypeAliasDeclaration(child)) return;
      if (atLoad && isFunctionLike(child) && !isCalled(child)) return;
      this.collect(child, facts);
      ts.forEachChild(child, (grandchild) => visit(grandchild, atLoad));
    };
    if (ts.isSourceFile(node)) {
      for (const statement of node.statements) {
        // Declared functions and classes run when reached, and so do the functions a variable is initialised with.
        if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) continue;
        visit(statement, ts.isVariableStatement(statement));
      }
    } else {
      visit(node, false);
    }
    this.facts.set(node, facts);
    return facts;
  }

  private collect(node: ts.Node, facts: CodeFacts): void {
    if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression)) {
      // `new GetCommand(…)`, and helpers sending requests themselves (`paginateQuery(…)`).
      const imported = this.importOf(node.expression);
      if (imported?.module.startsWith('@aws-sdk/'))
        facts.commands.push({ ...imported, what: imported.name, where: where(node) });
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // Commands are recognised by their named imports.
      const module = node.moduleSpecifier.text;
      const clause = node.importClause;
      const unnamed = clause?.name ?? (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings));
      if (module.startsWith('@aws-sdk/') && unnamed && !clause?.isTypeOnly) {
        facts.commands.push({
          module,
          name: '*',
          what: `${node.getText()} (import its commands by name)`,
          where: where(node),
        });
      }
    } else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      const key = node.name.text;
      if (key in TRANSACT_ITEM_ACTIONS)
        facts.transactItems.push({ kind: key, what: `${key} item`, where: where(node) });
      if (key === 'IndexName') {
        const index = ts.isStringLiteralLike(node.initializer)
          ? node.initializer.text
          : `(${node.initializer.getText()})`;
        facts.indexes.push({ index, what: `query of index ${index}`, where: where(node) });
      }
    } else if (ts.isIdentifier(node) && isReference(node)) {
      const symbol = ts.isShorthandPropertyAssignment(node.parent)
        ? this.checker.getShorthandAssignmentValueSymbol(node.parent)
        : this.checker.getSymbolAtLocation(node);
      if (symbol !== undefined) {
        for (const declaration of this.resolve(symbol)) {
          facts.reaches.push(...this.reachedBy(declaration));
          // A key builder used outside keys.ts (inside it, builders call each other: that addresses nothing more).
          const builder = keyBuilderName(declaration);
          if (builder !== undefined && node.getSourceFile().fileName !== KEYS_FILE)
            facts.keys.push({ builder, what: `${builder}(…)`, where: where(node) });
        }
      }
    } else if (ts.isPropertyAccessExpression(node)) {
      const symbol = this.checker.getSymbolAtLocation(node.name);
      if (symbol !== undefined) {
        for (const declaration of this.resolve(symbol)) {
          if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) facts.calls.push(declaration);
          else facts.reaches.push(...this.reachedBy(declaration));
        }
      } else if (isCalled(node) && this.checker.getTypeAtLocation(node.expression).flags & ts.TypeFlags.Any) {
        facts.anyCalls.push(node.name.text);
      }
    }
  }

  private resolve(symbol: ts.Symbol): ts.Declaration[] {
    const target = symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    return target.declarations ?? [];
  }

  /** The code that referring to a declaration makes reachable. */
  private reachedBy(declaration: ts.Declaration): ts.Node[] {
    if (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration)) {
      // Constructing it runs its constructor and field initialisers; a base class may call any of its members.
      const extendsBase = declaration.heritageClauses?.some((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
      return [
        ...declaration.members.filter(
          (member) =>
            extendsBase ||
            ts.isConstructorDeclaration(member) ||
            ts.isPropertyDeclaration(member) ||
            ts.isClassStaticBlockDeclaration(member),
        ),
        ...(declaration.heritageClauses ?? [])
          .filter((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)
          .flatMap((clause) => clause.types.map((type) => type.expression)),
      ];
    }
    const isTopLevelVariable =
      ts.isVariableDeclaration(declaration) && ts.isSourceFile(declaration.parent.parent.parent);
    const isCode =
      ts.isFunctionDeclaration(declaration) ||
      ts.isMethodDeclaration(declaration) ||
      ts.isPropertyDeclaration(declaration) ||
      ts.isAccessor(declaration) ||
      ts.isPropertyAssignment(declaration) ||
      ts.isShorthandPropertyAssignment(declaration);
    return isTopLevelVariable || isCode ? [declaration] : [];
  }

  /** The members a call through an interface or type literal may run: those of the bundled classes satisfying it. */
  private implementations(member: ts.MethodSignature | ts.PropertySignature, classes: ts.ClassDeclaration[]) {
    const owner = member.parent;
    const implementing = classes.filter((declaration) => {
      const known = this.assignable.get(declaration) ?? new Map<ts.Node, boolean>();
      this.assignable.set(declaration, known);
      if (!known.has(owner)) {
        const ownerType = ts.isInterfaceDeclaration(owner)
          ? this.checker.getDeclaredTypeOfSymbol(this.checker.getSymbolAtLocation(owner.name) as ts.Symbol)
          : this.checker.getTypeAtLocation(owner);
        const classSymbol = declaration.name && this.checker.getSymbolAtLocation(declaration.name);
        const classType = classSymbol && this.checker.getDeclaredTypeOfSymbol(classSymbol);
        known.set(owner, classType !== undefined && this.checker.isTypeAssignableTo(classType, ownerType));
      }
      return known.get(owner);
    });
    return membersNamed(member.name.getText(), implementing);
  }

  /** The package and exported name of an imported identifier. */
  private importOf(identifier: ts.Identifier) {
    const declaration = this.checker.getSymbolAtLocation(identifier)?.declarations?.[0];
    if (declaration === undefined || !ts.isImportSpecifier(declaration)) return undefined;
    const module = (declaration.parent.parent.parent.moduleSpecifier as ts.StringLiteral).text;
    return { module, name: (declaration.propertyName ?? declaration.name).text };
  }
}

/** The name of a top-level declaration of functions/core/keys.ts, or undefined for any other declaration. */
function keyBuilderName(declaration: ts.Declaration): string | undefined {
  if (declaration.getSourceFile().fileName !== KEYS_FILE) return undefined;
  const topLevel =
    (ts.isVariableDeclaration(declaration) && ts.isSourceFile(declaration.parent.parent.parent)) ||
    (ts.isFunctionDeclaration(declaration) && ts.isSourceFile(declaration.parent));
  return topLevel && declaration.name !== undefined && ts.isIdentifier(declaration.name)
    ? declaration.name.text
    : undefined;
}

const membersNamed = (name: string, classes: ts.ClassDeclaration[]) =>
  classes.flatMap((declaration) => declaration.members.filter((member) => member.name?.getText() === name));

/** The IAM actions the reachable code needs, and the SDK calls COMMAND_ACTIONS does not know. */
function requirementsOf(name: string, reach: Sends): { needs: Requirement[]; unknown: Found[] } {
  const needs: Requirement[] = [];
  const unknown: Found[] = [];
  const notCalled = new Set((NOT_CALLED[name] ?? []).map((entry) => entry.command));
  for (const command of reach.commands) {
    if (notCalled.has(command.name)) continue;
    const actions = COMMAND_ACTIONS[command.module]?.[command.name];
    if (actions === undefined) {
      // Clients are constructed too, and helpers called (DynamoDBDocumentClient.from, getSignedUrl of a command).
      if (!/(Client|Exception)$|^(getSignedUrl|marshall|unmarshall)$/.test(command.name)) unknown.push(command);
      continue;
    }
    needs.push(...actions.map((action) => ({ ...command, action })));
    if (TRANSACT_WRITES.has(command.name)) {
      if (reach.transactItems.length === 0) unknown.push({ ...command, what: `${command.what} (no items found)` });
      for (const item of reach.transactItems) {
        const action = TRANSACT_ITEM_ACTIONS[item.kind] as string;
        needs.push({ what: `${command.what} ${item.what}`, where: item.where, action });
      }
    }
  }
  needs.push(...reach.indexes.map((found) => ({ ...found, action: 'dynamodb:Query', index: found.index })));
  return { needs, unknown };
}

/** Whether the role allows what the code needs: the action, for DynamoDB on the table (for a query of an index, on it). */
function granted(fn: FunctionConfig, need: Requirement): boolean {
  return allowStatements(fn).some((statement) => {
    if (!allows(statement, need.action)) return false;
    const resources = resourcesOf(statement);
    if (need.index !== undefined) {
      return resources.some((resource) => indexOf(resource) === need.index || indexOf(resource) === '*');
    }
    if (need.action.startsWith('dynamodb:')) {
      return resources.some((resource) => resource.includes('MainTable.Arn') || resource === '*');
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------------

/** The DynamoDB actions whose requests carry `dynamodb:LeadingKeys` (the IAM action catalogue's condition keys). */
const SCOPABLE_ACTIONS = new Set(
  [
    'GetItem',
    'BatchGetItem',
    'Query',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
    'ConditionCheckItem',
    'PartiQLSelect',
    'PartiQLInsert',
    'PartiQLUpdate',
    'PartiQLDelete',
  ].map((action) => `dynamodb:${action}`),
);

/** IAM's StringLike: `*` any run of characters, `?` exactly one, case-sensitive. */
const stringLike = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  ).test(value);

/** The `dynamodb:LeadingKeys` values a statement allows, or undefined when it is not conditioned on them. */
function leadingKeysOf(statement: Statement): string[] | undefined {
  for (const operator of ['ForAllValues:StringLike', 'ForAllValues:StringEquals']) {
    const values = statement.Condition?.[operator]?.['dynamodb:LeadingKeys'];
    if (values !== undefined) return [values].flat().map(String);
  }
  return undefined;
}

const functions = readFunctions();
const names = Object.keys(functions);
const analysis = new Map<string, { needs: Requirement[]; unknown: Found[]; keys: Sends['keys'] }>();
const describeNeed = (need: Requirement) =>
  `${need.action}${need.index ? ` on index ${need.index}` : ''} for ${need.what} (${need.where})`;

beforeAll(async () => {
  const modules = await bundledModules(functions);
  const files = [...new Set([...modules.values()].flat())].filter((file) => file.endsWith('.ts'));
  const reachability = new Reachability(projectProgram(files));
  for (const [name, fn] of Object.entries(functions)) {
    const reach = reachability.of(modules.get(name) ?? [], handlerOf(fn));
    analysis.set(name, { ...requirementsOf(name, reach), keys: reach.keys });
  }
}, 60_000);

describe('IAM roles of the functions (serverless.yml iamRoleStatements)', () => {
  it.each(names)('%s: its role allows every AWS call its code can make', (name) => {
    const fn = functions[name] as FunctionConfig;
    const { needs = [], unknown = [] } = analysis.get(name) ?? {};

    expect(
      unknown.map((found) => `${found.what} (${found.where})`),
      'add these SDK calls to COMMAND_ACTIONS',
    ).toEqual([]);
    const missing = needs.filter((need) => !granted(fn, need)).map(describeNeed);
    expect([...new Set(missing)], `missing from ${name}.iamRoleStatements`).toEqual([]);
  });

  it.each(names)('%s: its role grants no action or index its code never needs', (name) => {
    const fn = functions[name] as FunctionConfig;
    const needs = analysis.get(name)?.needs ?? [];
    const actions = [...needs.map((need) => need.action), ...configuredNeeds(fn)];
    const indexes = needs.flatMap((need) => need.index ?? []);
    const unused = allowStatements(fn).flatMap((statement) => [
      ...actionsOf(statement).filter((action) => !actions.some((needed) => pattern(action).test(needed))),
      ...resourcesOf(statement).filter(
        (resource) => indexOf(resource) !== undefined && !indexes.includes(indexOf(resource) as string),
      ),
    ]);

    expect([...new Set(unused)], `granted by ${name}.iamRoleStatements, needed by no reachable code`).toEqual([]);
  });

  it.each(names)(
    '%s: its DynamoDB statements reach exactly the partitions its code addresses (dynamodb:LeadingKeys)',
    (name) => {
      const fn = functions[name] as FunctionConfig;
      const used = analysis.get(name)?.keys ?? [];
      const unclassified = used.filter((use) => !kindOfBuilder.has(use.builder) && !NOT_PARTITIONS.has(use.builder));
      expect(
        unclassified.map((use) => `${use.what} (${use.where})`),
        'give these key builders their partition kind in PARTITIONS',
      ).toEqual([]);
      // An index's partitions are addressed by querying it; writing its key attributes (gsi1pk) addresses nothing.
      const queried = new Set(analysis.get(name)?.needs.flatMap((need) => need.index ?? []));
      const needed = new Set(
        used
          .flatMap((use) => kindOfBuilder.get(use.builder) ?? [])
          .filter((kind) => PARTITIONS[kind]?.index === undefined || queried.has(PARTITIONS[kind].index)),
      );
      for (const kind of FOUND_THROUGH_INDEXES[name]?.kinds ?? []) needed.add(kind);

      const problems: string[] = [];
      const granted = { table: [] as string[], index: new Map<string, string[]>() };
      for (const statement of allowStatements(fn)) {
        const scoped = actionsOf(statement).filter((action) => SCOPABLE_ACTIONS.has(action));
        if (scoped.length === 0) continue;
        const resources = resourcesOf(statement);
        const indexes = [...new Set(resources.flatMap((resource) => indexOf(resource) ?? []))];
        const patterns = leadingKeysOf(statement);
        if (patterns === undefined) {
          problems.push(
            `${scoped.join(', ')} on ${resources.join(', ')}: no ForAllValues dynamodb:LeadingKeys condition`,
          );
          continue;
        }
        if (indexes.length > 0 && indexes.length !== resources.length) {
          problems.push(
            `${resources.join(', ')}: the table and its indexes have other partition keys, one statement each`,
          );
          continue;
        }
        if (indexes.length === 0) granted.table.push(...patterns);
        for (const index of indexes) granted.index.set(index, [...(granted.index.get(index) ?? []), ...patterns]);
      }
      const check = (where: string, index: string | undefined, patterns: string[]) => {
        const kinds = Object.entries(PARTITIONS).filter(([, partition]) => partition.index === index);
        for (const [kind, { samples }] of kinds) {
          if (needed.has(kind)) {
            const missing = samples.filter((sample) => !patterns.some((pattern) => stringLike(pattern, sample)));
            if (missing.length > 0)
              problems.push(`${where}: no pattern allows ${kind} partitions such as ${missing[0]}`);
          } else {
            for (const pattern of patterns) {
              const reached = samples.find((sample) => stringLike(pattern, sample));
              if (reached !== undefined)
                problems.push(
                  `${where}: ${pattern} allows ${kind} partitions (${reached}), which the code never addresses`,
                );
            }
          }
        }
        for (const pattern of patterns) {
          if (!kinds.some(([kind, { samples }]) => needed.has(kind) && samples.some((s) => stringLike(pattern, s))))
            problems.push(`${where}: ${pattern} matches no partition the code addresses`);
        }
      };
      check('table', undefined, granted.table);
      for (const [index, patterns] of granted.index) check(`index ${index}`, index, patterns);

      expect(problems, `${name}.iamRoleStatements (needs ${[...needed].sort().join(', ') || 'no partition'})`).toEqual(
        [],
      );
    },
  );

  it('knows every export of functions/core/keys.ts: a partition kind, or no partition at all', () => {
    const unknownExports = Object.keys(keys).filter((name) => !kindOfBuilder.has(name) && !NOT_PARTITIONS.has(name));
    expect(
      unknownExports,
      'add them to PARTITIONS (with a LeadingKeys pattern in docs/data-model.md) or NOT_PARTITIONS',
    ).toEqual([]);
    // Each kind's samples are told apart by the documented patterns: none matches another kind's partitions.
    const patterns: Record<string, string> = {
      run: 'RUN#*#????-??-??',
      bucket: 'RUN#*#????-??-??#B??',
      lines: 'LINES#???',
      pacing: 'PACING',
      activeRuns: 'ACTIVE_RUNS',
      call: 'CALL#*',
      doNotCall: 'DNC',
      campaigns: 'CAMPAIGNS',
      alerts: 'ALERTS',
      analytics: 'ANALYTICS',
      due: 'DUE#*#????-??-??',
    };
    for (const [kind, { samples }] of Object.entries(PARTITIONS)) {
      for (const [other, pattern] of Object.entries(patterns)) {
        const matching = samples.filter((sample) => stringLike(pattern, sample));
        expect(matching.length, `${pattern} on ${kind} partitions`).toBe(kind === other ? samples.length : 0);
      }
    }
  });

  it('sees what it is meant to: the transaction closing a run deletes its active-run marker', () => {
    expect(analysis.get('runFinalize')?.needs.map(describeNeed)).toContainEqual(
      expect.stringMatching(
        /^dynamodb:DeleteItem for TransactWriteCommand Delete item \(functions\/adapters\/run-store/,
      ),
    );
    expect(analysis.get('runsStatus')?.needs.map(describeNeed)).toContainEqual(
      expect.stringMatching(/^dynamodb:Query on index gsi1 /),
    );
    expect(analysis.get('dashboard')?.needs).toEqual([]);
    expect(analysis.get('nextStep')?.keys.map((use) => use.builder)).toEqual(
      expect.arrayContaining(['callKey', 'campaignKey', 'contactKey']),
    );
  });
});
