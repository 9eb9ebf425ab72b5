/** AWS evaluation records (IAM Toolbox) as the adapter hands them to the core, for engine tests. */
import type {
  AwsAuthorizationRecord,
  AwsEvaluatedPolicy,
  AwsEvaluation,
  AwsMatchedPolicy,
} from '../../lambda/core/evidence/aws-evaluation';
import { ACCOUNT } from './scope-builders';

export const AUTHORIZATION_ID = 'a1b2c3d4e5f6g7h8i9j0';
export const MEI = `arn:aws:iam::${ACCOUNT}:user/mei`;
export const ETL_ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-runtime`;

/** An evaluation of iam:PassRole on etl-runtime to Glue (AWS puts iam:PassedToService on the evaluation). */
export function passEvaluation(parts: Partial<AwsEvaluation> = {}): AwsEvaluation {
  return {
    action: 'iam:PassRole',
    resource: ETL_ROLE,
    context: { 'iam:PassedToService': 'glue.amazonaws.com' },
    effect: 'implicit-deny',
    matchedPolicies: [],
    ...parts,
  };
}

export function matched(uri: string, ...statements: [string | null, 'allow' | 'deny'][]): AwsMatchedPolicy {
  return { uri, statements: statements.map(([sid, effect]) => ({ sid, effect })) };
}

export function inlinePolicyInfo(uri: string, attachedTo: string): AwsEvaluatedPolicy {
  return { type: 'identity', awsType: 'IDENTITY_BASED_POLICY', inline: true, uri, attachedTo: [attachedTo] };
}

export function awsRecord(parts: Partial<AwsAuthorizationRecord> = {}): AwsAuthorizationRecord {
  return {
    authorizationId: AUTHORIZATION_ID,
    region: 'ap-northeast-1',
    requestContext: {
      'aws:PrincipalArn': MEI,
      'aws:MultiFactorAuthPresent': 'true',
      'aws:RequestedRegion': 'ap-northeast-1',
      'aws:CurrentTime': '2026-06-17T02:04:37.412Z',
      'aws:userid': 'AIDAEXAMPLE',
    },
    evaluations: [
      { action: 'glue:UpdateJob', resource: '*', context: {}, effect: 'allow', matchedPolicies: [] },
      passEvaluation(),
    ],
    policies: [],
    ...parts,
  };
}
