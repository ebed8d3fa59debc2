/**
 * Serverless plugin: who may call the API (docs/security.md, "API permission tiers").
 * - Each tier of `custom.apiAccess.tiers` becomes an IAM managed policy allowing `execute-api:Invoke` on exactly its
 *   routes' ARNs, with its ARN as a stack output. Packaging fails when an IAM-authorised route is in no tier or in
 *   two, or a tier names a route the API does not have.
 * Route paths become ARN paths with each `{parameter}` replaced by its pattern in `custom.apiAccess.pathParameters`
 * (`?` per character of a fixed-length value) or `*`.
 * CommonJS because Serverless loads plugins with require().
 */
'use strict';

/** `exportAndDnc` → `ExportAndDnc`, `export-and-dnc`. */
const pascal = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const kebab = (name) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The logical id of a tier's managed policy. */
const tierPolicyId = (tier) => `Api${pascal(tier)}Policy`;

/** `GET /campaigns/{campaignId}/lists/{listId}` → `GET/campaigns/*` + `/lists/????????-????????????????`. */
function arnPath(method, path, pathParameters) {
  const resource = path.replace(/\{([^}]+)\}/g, (_, name) => pathParameters[name] ?? '*');
  return `${method}${resource}`;
}

/** The IAM-authorised routes of the service's functions, as `METHOD /path` with their function. */
function iamRoutes(service) {
  const routes = [];
  for (const [name, fn] of Object.entries(service.functions || {})) {
    for (const event of fn.events || []) {
      const route = event.httpApi;
      if (!route || typeof route !== 'object') continue;
      if (route.authorizer?.type !== 'aws_iam') continue;
      routes.push({ key: `${String(route.method).toUpperCase()} ${route.path}`, fn: name });
    }
  }
  return routes;
}

/**
 * Checks that every IAM route is in exactly one tier and every tier's route exists; returns the routes by tier.
 * @throws Error naming every route in no tier or in two, and every tier route the API does not have.
 */
function routesByTier(routes, tiers) {
  const problems = [];
  const known = new Set(routes.map((route) => route.key));
  for (const [tier, { routes: listed = [] }] of Object.entries(tiers)) {
    for (const key of listed) {
      if (!known.has(key)) problems.push(`tier ${tier} names ${key}, which no function serves with IAM authorisation`);
    }
  }
  for (const route of routes) {
    const holders = Object.entries(tiers)
      .filter(([, { routes: listed = [] }]) => listed.includes(route.key))
      .map(([tier]) => tier);
    if (holders.length === 0) {
      problems.push(
        `${route.key} (function ${route.fn}) is in no tier: add it to one of ${Object.keys(tiers).join(', ')}`,
      );
    } else if (holders.length > 1) {
      problems.push(`${route.key} (function ${route.fn}) is in ${holders.join(' and ')}: a route belongs to one tier`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`custom.apiAccess.tiers (docs/security.md, "API permission tiers"):\n  ${problems.join('\n  ')}`);
  }
  return Object.fromEntries(Object.entries(tiers).map(([tier, { routes: listed = [] }]) => [tier, listed]));
}

/** The managed policies and outputs of the tiers, for the API `apiLogicalId` and its stage. */
function tierResources({ service, stage, apiLogicalId, apiStage, tiers, byTier, pathParameters }) {
  const resources = {};
  const outputs = {};
  for (const [tier, { description }] of Object.entries(tiers)) {
    const id = tierPolicyId(tier);
    resources[id] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: `${service}-${stage}-api-${kebab(tier)}`,
        Description: description,
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'execute-api:Invoke',
              Resource: byTier[tier].map((key) => {
                const [method, path] = key.split(' ');
                return {
                  'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiLogicalId}}/${apiStage}/${arnPath(method, path, pathParameters)}`,
                };
              }),
            },
          ],
        },
      },
    };
    outputs[`${id}Arn`] = {
      Description: `Attach to the IAM roles (or groups) that may call the ${tier} routes: ${description}`,
      Value: { Ref: id },
    };
  }
  return { resources, outputs };
}

class ApiAccessPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:package:compileEvents': () => this.addTiers(),
    };
  }

  /** Checks the tiers against the routes and adds their managed policies and outputs to the template. */
  addTiers() {
    const service = this.serverless.service;
    const settings = service.custom?.apiAccess || {};
    const tiers = settings.tiers || {};
    const byTier = routesByTier(iamRoutes(service), tiers);
    const template = service.provider.compiledCloudFormationTemplate;
    const { resources, outputs } = tierResources({
      service: service.service,
      stage: service.provider.stage,
      apiLogicalId: 'HttpApi',
      apiStage: '$default',
      tiers,
      byTier,
      pathParameters: settings.pathParameters || {},
    });
    Object.assign(template.Resources, resources);
    template.Outputs = { ...template.Outputs, ...outputs };
  }
}

module.exports = ApiAccessPlugin;
module.exports.routesByTier = routesByTier;
module.exports.arnPath = arnPath;
