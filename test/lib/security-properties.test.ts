/**
 * PassRoleRemediation as a library: a consumer's app has none of this project's cdk.json feature
 * flags, so the construct states every security-relevant setting itself. The same checks
 * (support/security-properties.ts) run on the ready app's template here and on a consumer app's in
 * .ci/run; retainAuditLogs and the missing-channel warning are the construct's own.
 */
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readCdkJsonContext } from '../../lib/cdk-json-context';
import type { HandlerFunction } from '../../lib/constructs/handler-function';
import {
  NO_CHANNEL_WARNING_ID,
  PassRoleRemediation,
  type PassRoleRemediationProps,
} from '../../lib/passrole-remediation';
import { ALL_OPTIONS_CONTEXT, buildMainStack } from './support/cdk-app';
import { securityViolations, type CfnResource, type CfnTemplate } from './support/security-properties';

/** Every option the construct takes that adds resources: emails, Slack, Teams, a trail. */
const ALL_OPTIONS: PassRoleRemediationProps = {
  notificationEmails: ['platform@example.com'],
  slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' },
  teams: {
    teamId: '1a2b3c4d-1111-2222-3333-444455556666',
    tenantId: '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
    channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  },
  createTrail: true,
};

/** cdk.json's feature flags (every `@aws-cdk/...` key), or none. */
function featureFlags(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(readCdkJsonContext()).filter(([key]) => key.startsWith('@aws-cdk')),
  );
}

/** The construct alone in a plain stack, as a consumer's app would hold it (bundling skipped: no esbuild run). */
function consumerStack(props: PassRoleRemediationProps, context: Record<string, unknown> = {}): Stack {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ConsumerStack');
  new PassRoleRemediation(stack, 'Remediation', props);
  return stack;
}

const templateOf = (stack: Stack) => Template.fromStack(stack).toJSON() as CfnTemplate;

/** Array order aside (minimizePolicies sorts actions and merges nothing here): a canonical form. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, entry]) => [key, canonical(entry)]),
    );
  }
  return value;
}

describe('the security properties, with and without feature flags', () => {
  it('hold on the ready app (cdk.json flags) with every option', () => {
    const { template } = buildMainStack({ context: { ...ALL_OPTIONS_CONTEXT, forwardFromRegions: '[]' } });
    expect(securityViolations(template.toJSON() as CfnTemplate)).toEqual([]);
  });

  it.each<[string, PassRoleRemediationProps]>([
    ['the defaults', {}],
    ['every option', ALL_OPTIONS],
    ['organization mode', { organization: hubOrganization() }],
  ])('hold with no feature flag at all, %s', (_name, props) => {
    expect(securityViolations(templateOf(consumerStack(props)))).toEqual([]);
  });

  it.each<[string, PassRoleRemediationProps]>([
    ['the defaults', {}],
    ['every option', ALL_OPTIONS],
  ])(
    'give the same template with cdk.json flags as with none, %s (statement order aside)',
    (_name, props) => {
      const withFlags = templateOf(consumerStack(props, featureFlags()));
      const withoutFlags = templateOf(consumerStack(props));
      expect(canonical(withoutFlags)).toEqual(canonical(withFlags));
    },
  );

  it('catch what an unflagged CDK default would do: a service admitted with no condition', () => {
    const template = templateOf(consumerStack({}));
    const [queuePolicyId, queuePolicy] = Object.entries(template.Resources).find(
      ([, resource]) => resource.Type === 'AWS::SQS::QueuePolicy',
    ) as [string, CfnResource];
    const document = queuePolicy.Properties?.PolicyDocument as { Statement: unknown[] };
    // What targets.SqsQueue writes without @aws-cdk/aws-events:eventsTargetQueueSameAccount.
    document.Statement.push({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: '*',
    });
    expect(securityViolations(template)).toEqual([
      `${queuePolicyId}: admits {"Service":"events.amazonaws.com"} to sqs:SendMessage, sqs:GetQueueAttributes, sqs:GetQueueUrl with no condition`,
    ]);
  });
});

describe('retainAuditLogs', () => {
  const deletionPolicies = (stack: Stack) => {
    const resources = Template.fromStack(stack).toJSON().Resources as CfnTemplate['Resources'];
    const remediation = stack.node.findChild('Remediation') as PassRoleRemediation;
    const policyOf = (logGroup: IConstruct) =>
      resources[stack.getLogicalId(logGroup.node.defaultChild as CfnElement)]?.DeletionPolicy;
    const functionLogs = (id: string) => (remediation.node.findChild(id) as HandlerFunction).logGroup;
    return {
      accessLogs: policyOf(remediation.approvalApi.accessLogGroup),
      applyLogs: policyOf(functionLogs('Apply')),
      diagnoseLogs: policyOf(functionLogs('Diagnose')),
    };
  };

  it('keeps the approval API access logs and the apply log by default, and nothing else', () => {
    const stack = consumerStack({});
    expect(deletionPolicies(stack)).toEqual({
      accessLogs: 'Retain',
      applyLogs: 'Retain',
      diagnoseLogs: 'Delete',
    });
    expect(securityViolations(templateOf(stack), { retainAuditLogs: true })).toEqual([]);
  });

  it('lets cdk destroy remove them when false', () => {
    const stack = consumerStack({ retainAuditLogs: false });
    expect(deletionPolicies(stack)).toEqual({
      accessLogs: 'Delete',
      applyLogs: 'Delete',
      diagnoseLogs: 'Delete',
    });
    expect(securityViolations(templateOf(stack), { retainAuditLogs: false })).toEqual([]);
    expect(securityViolations(templateOf(stack), { retainAuditLogs: true })).toHaveLength(2);
  });

  it('is a setting of the ready app (-c retainAuditLogs=false)', () => {
    const { template } = buildMainStack({ context: { retainAuditLogs: 'false' } });
    expect(securityViolations(template.toJSON() as CfnTemplate, { retainAuditLogs: false })).toEqual([]);
  });
});

describe('a deploy with no channel', () => {
  it('is warned about at synth, once, on the construct', () => {
    const warnings = Annotations.fromStack(consumerStack({})).findWarning('*', Match.anyValue());
    expect(warnings.map(({ id, entry }) => [id, entry.data])).toEqual([
      [
        '/ConsumerStack/Remediation',
        'No notification channel is configured (notificationEmails, slack or teams): every diagnosis and ' +
          'proposal goes to an SNS topic that no one is subscribed to, and its policy lets no one subscribe. ' +
          `Set at least one channel (README: "Deploy"). [ack: ${NO_CHANNEL_WARNING_ID}]`,
      ],
    ]);
  });

  it.each<[string, PassRoleRemediationProps]>([
    ['emails', { notificationEmails: ['platform@example.com'] }],
    ['Slack', { slack: ALL_OPTIONS.slack }],
    ['Teams', { teams: ALL_OPTIONS.teams }],
  ])('is not, with %s', (_name, props) => {
    Annotations.fromStack(consumerStack(props)).hasNoWarning('*', Match.anyValue());
  });

  it("says the OU channels get only their OUs' copies in organization mode", () => {
    Annotations.fromStack(consumerStack({ organization: hubOrganization() })).hasWarning(
      '/ConsumerStack/Remediation',
      Match.stringLikeRegexp("channelsByOu's channels get copies for their OUs' accounts only\\."),
    );
  });
});

function hubOrganization(): NonNullable<PassRoleRemediationProps['organization']> {
  return {
    organizationId: 'o-a1b2c3d4e5',
    memberOus: ['ou-ab12-cdef3456'],
    externalId: 'passrole-doctor-7f3a9c',
    excludedAccounts: [],
    sensitiveAccounts: [],
    channelsByOu: {
      'ou-ab12-cdef3456': { notificationEmails: ['team-a@example.com'], slack: null, teams: null },
    },
  };
}
