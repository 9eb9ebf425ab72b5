/**
 * Pins the synthesized templates: identical once asset hashes and metadata are removed, every
 * logical ID kept (a changed ID would make CloudFormation replace the retained table and keys).
 */
import { Stack } from 'aws-cdk-lib';
import { protectionScpForStack } from '../../lib/protection-scp';
import { ALL_OPTIONS_CONTEXT, buildTestApp } from '../lib/support/cdk-app';
import { readGolden, UPDATING, writeGolden } from './golden';

const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'all-options': {
    ...ALL_OPTIONS_CONTEXT,
    approvers: '["arn:aws:iam::123456789012:role/SecurityReviewer","arn:aws:iam::123456789012:user/alice"]',
    allowAdminRoles: 'true',
    autoApprove: 'no-new-access',
    approvalMode: 'iam',
  },
};

const ASSET_HASH = /[0-9a-f]{64}/g;

/** Asset hashes, CDK metadata and the bootstrap check vary with the build, not with the product. */
function normalize(template: Record<string, unknown>): unknown {
  const copy = JSON.parse(JSON.stringify(template).replace(ASSET_HASH, '<asset-hash>')) as {
    Resources?: Record<string, { Type?: string; Metadata?: unknown }>;
    Parameters?: Record<string, unknown>;
    Rules?: unknown;
    Conditions?: Record<string, unknown>;
  };
  for (const [id, resource] of Object.entries(copy.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata') delete copy.Resources?.[id];
    else delete resource.Metadata;
  }
  delete copy.Parameters?.['BootstrapVersion'];
  delete copy.Rules;
  delete copy.Conditions?.['CDKMetadataAvailable'];
  return copy;
}

function synthesize(context: Record<string, unknown>): Record<string, unknown> {
  const { app, stacks, settings } = buildTestApp({ context, defaultRegion: 'eu-west-1' });
  const assembly = app.synth({ validateOnSynthesis: false });
  const templates: Record<string, unknown> = {};
  for (const stack of app.node.children.filter(Stack.isStack)) {
    templates[stack.stackName] = normalize(
      assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>,
    );
  }
  // The SCP bin/app.ts writes beside the templates.
  templates['protection-scp'] = normalize(
    JSON.parse(JSON.stringify(protectionScpForStack(stacks.main, settings.deployRoleArn))) as Record<
      string,
      unknown
    >,
  );
  return templates;
}

describe('synthesized templates stay as they were (baseline)', () => {
  it.each(Object.keys(VARIANTS))('%s', (variant) => {
    const actual = synthesize(VARIANTS[variant] ?? {});
    const file = `templates/${variant}.json`;
    if (UPDATING) {
      writeGolden(file, actual);
      return;
    }
    const expected = readGolden<Record<string, { Resources: Record<string, unknown> }>>(file);
    const ids = (templates: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(templates as Record<string, { Resources?: object }>).map(([name, t]) => [
          name,
          Object.keys(t.Resources ?? {}).sort(),
        ]),
      );
    expect(ids(actual)).toEqual(ids(expected));
    expect(actual).toEqual(expected);
  });
});
