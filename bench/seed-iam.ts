/**
 * IAM's answers for the seed scenario (examples/seed/account.json), for the benches that diagnose the
 * seed denial through TargetedAccountReader and AwsPolicySimulator over aws-sdk-client-mock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import type { AuthorizationDetails } from '../lambda/adapters/gaad/shapes';

const SNAPSHOT = join(__dirname, '..', 'examples/seed/account.json');

/** The seed account as a GetAccountAuthorizationDetails snapshot (the IAM fake answers from it). */
export function seedAuthorizationDetails(): AuthorizationDetails {
  return JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as AuthorizationDetails;
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
