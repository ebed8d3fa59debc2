/**
 * Serverless plugin, active only under `serverless offline`: renders the CloudFormation references
 * in function environments (`!Ref AlertsTopic`, `!GetAtt MainTable.Arn`, ...) into the ARNs and
 * names of the local cloud, as CloudFormation does on deploy. Handlers see the same variables in
 * both worlds; only the AWS_ENDPOINT_URL_* endpoints differ.
 */
'use strict';

const { createReferenceRenderer } = require('./cloudformation-references.cjs');
const { allowedOriginsOf, restrictCors } = require('./local-cors.cjs');

class LocalReferencesPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:offline:start:init': () => {
        this.render();
        this.restrictCors();
      },
      'before:offline:start': () => this.render(),
    };
  }

  /** The local API answers CORS for its own dashboard's origin only (local/local-cors.cjs). */
  restrictCors() {
    const settings = this.serverless.service.custom?.['serverless-offline'];
    restrictCors(require('@hapi/hapi'), allowedOriginsOf(settings));
  }

  render() {
    const service = this.serverless.service;
    const renderer = createReferenceRenderer({
      service: service.service,
      stage: service.provider.stage,
      region: service.provider.region,
      resources: service.resources?.Resources || {},
      stateMachines: this.serverless.configurationInput?.stepFunctions?.stateMachines || {},
      functions: service.getAllFunctions(),
    });
    const renderEnvironment = (environment) => {
      if (!environment) return;
      for (const [key, value] of Object.entries(environment)) {
        environment[key] = renderer.render(value);
      }
    };
    renderEnvironment(service.provider.environment);
    for (const name of service.getAllFunctions()) {
      renderEnvironment(service.getFunction(name).environment);
    }
  }
}

module.exports = LocalReferencesPlugin;
