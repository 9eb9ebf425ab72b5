/**
 * IAM's answers for the seed scenario (examples/seed/account.json), for the benches that diagnose the
 * seed denial through AwsAccountReader and AwsPolicySimulator over aws-sdk-client-mock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';

const SNAPSHOT = join(__dirname, '..', 'examples/seed/account.json');

/** The snapshot as GetAccountAuthorizationDetails returns it: documents URL-encoded. */
export function apiShapedAuthorizationDetails(): Record<string, unknown> {
  const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, unknown>;
  const encode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(encode);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [
          key,
          /Document$/.test(key) && inner && typeof inner === 'object'
            ? encodeURIComponent(JSON.stringify(inner))
            : encode(inner),
        ]),
      );
    }
    return value;
  };
  const encoded = encode(snapshot) as Record<string, unknown>;
  // Filter ['User','Group','Role','LocalManagedPolicy'] leaves AWS managed policies out.
  return { ...encoded, Policies: [], IsTruncated: false };
}

/** GetPolicy for the AWS managed policy the seed's group has attached. */
export function seedGetPolicyAnswer(input: { PolicyArn: string }) {
  return {
    Policy: { Arn: input.PolicyArn, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
  };
}

/** GetPolicyVersion for that policy's default version: its document as the snapshot holds it. */
export function seedGetPolicyVersionAnswer() {
  const glue = (
    JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as {
      Policies: { PolicyVersionList: { Document: unknown }[] }[];
    }
  ).Policies[0];
  return {
    PolicyVersion: {
      VersionId: 'v14',
      IsDefaultVersion: true,
      Document: encodeURIComponent(JSON.stringify(glue?.PolicyVersionList[0]?.Document)),
    },
  };
}

/**
 * SimulatePrincipalPolicy as IAM decides the seed: denied explicitly without MFA, else allowed only
 * with the proposed policy added.
 */
export function seedSimulationAnswer(input: SimulatePrincipalPolicyCommandInput) {
  const mfa = input.ContextEntries?.find((entry) => entry.ContextKeyName === 'aws:MultiFactorAuthPresent')
    ?.ContextKeyValues?.[0];
  const withProposal = (input.PolicyInputList?.length ?? 0) > 0;
  const decision = mfa !== 'true' ? 'explicitDeny' : withProposal ? 'allowed' : 'implicitDeny';
  return {
    IsTruncated: false,
    EvaluationResults: [
      {
        EvalActionName: 'iam:PassRole',
        EvalResourceName: input.ResourceArns?.[0],
        EvalDecision: decision,
        MatchedStatements:
          decision === 'explicitDeny'
            ? [
                {
                  SourcePolicyId: 'RequireMFA',
                  SourcePolicyType: 'group',
                  StartPosition: { Line: 1, Column: 1 },
                },
              ]
            : [],
      },
    ],
  };
}
