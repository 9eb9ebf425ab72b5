/**
 * Who attacks: a developer of the account with AWS's PowerUserAccess (everything but iam:*,
 * organizations:* and account:*), signed in through a role session, as issue 10's review was.
 */
import type { AttackRequest } from './policy-evaluator';
import type { PolicyDocument } from './resource-policies';
import powerUserAccess from '../../fixtures/attacks/power-user-access.json';
import { ACCOUNT } from './stack-under-attack';

export const ATTACKER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/developer`;
export const ATTACKER_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/developer/mallory`;
/** AWS managed PowerUserAccess, copied from moto's aws_managed_policies.py. */
export const POWER_USER_ACCESS: PolicyDocument = JSON.parse(
  JSON.stringify(powerUserAccess),
) as PolicyDocument;

export const ATTACKER_POLICIES = [{ name: 'PowerUserAccess', document: POWER_USER_ACCESS }];

/** What AWS puts in a request made by a role session (the keys a Deny on aws:PrincipalArn reads). */
export function sessionContext(roleArn: string, sessionName: string): Record<string, string> {
  return {
    'aws:PrincipalArn': roleArn,
    'aws:PrincipalAccount': ACCOUNT,
    'aws:PrincipalType': 'AssumedRole',
    'aws:userid': `AROAEXAMPLEROLEID:${sessionName}`,
    'aws:SecureTransport': 'true',
    'aws:ViaAWSService': 'false',
    'aws:CurrentTime': '2026-12-06T21:00:00Z',
  };
}

export function sessionArnOf(roleArn: string, sessionName: string): string {
  const name = roleArn.split('/').pop() ?? '';
  return `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${sessionName}`;
}

/** A request by the attacker's session, with the case's own keys on top. */
export function attackerRequest(
  action: string,
  resourceArn: string,
  extra: Record<string, string | string[]> = {},
): AttackRequest {
  return {
    principal: ATTACKER_SESSION_ARN,
    action,
    resourceArn,
    context: { ...sessionContext(ATTACKER_ROLE_ARN, 'mallory'), ...extra },
  };
}

/** A request an AWS service makes on behalf of a resource (a rule, an alarm): no aws:PrincipalArn. */
export function serviceRequest(
  service: string,
  action: string,
  resourceArn: string,
  sourceArn: string,
  extra: Record<string, string | string[]> = {},
): AttackRequest {
  return {
    principal: service,
    action,
    resourceArn,
    context: {
      'aws:PrincipalServiceName': service,
      'aws:SourceArn': sourceArn,
      'aws:SourceAccount': ACCOUNT,
      'aws:SecureTransport': 'true',
      ...extra,
    },
  };
}
