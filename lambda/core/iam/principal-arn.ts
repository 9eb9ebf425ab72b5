/**
 * What a caller's ARN stands for, as the IAM authorizer and CloudTrail name callers: an IAM user, a
 * role, a session of a role (an Identity Center user's among them), or something else. Stricter than
 * parseIamArn (core/iam/arn), which reads account data: a caller's ARN decides who may approve.
 */
import { iamArn } from './arn';

export type ParsedPrincipal =
  | { kind: 'user'; arn: string; partition: string; account: string; name: string }
  | { kind: 'role'; arn: string; partition: string; account: string; name: string; path: string }
  | {
      kind: 'session';
      arn: string;
      partition: string;
      account: string;
      roleName: string;
      sessionName: string;
      /** An IAM Identity Center session: the session name is the Identity Center user. */
      identityCenter: boolean;
    }
  | { kind: 'other'; arn: string };

const USER_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):user\/(?:[^*?]*\/)?([^/]+)$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/((?:[^/]+\/)*)([^/]+)$/;
const SESSION_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_/;

export function parsePrincipalArn(arn: string): ParsedPrincipal {
  const user = USER_ARN.exec(arn);
  if (user)
    return { kind: 'user', arn, partition: user[1] ?? '', account: user[2] ?? '', name: user[3] ?? '' };
  const role = ROLE_ARN.exec(arn);
  if (role) {
    return {
      kind: 'role',
      arn,
      partition: role[1] ?? '',
      account: role[2] ?? '',
      name: role[4] ?? '',
      path: `/${role[3] ?? ''}`,
    };
  }
  const session = SESSION_ARN.exec(arn);
  if (session) {
    const roleName = session[3] ?? '';
    return {
      kind: 'session',
      arn,
      partition: session[1] ?? '',
      account: session[2] ?? '',
      roleName,
      sessionName: session[4] ?? '',
      identityCenter: IDENTITY_CENTER_ROLE.test(roleName),
    };
  }
  return { kind: 'other', arn };
}

/** The role a session stands for, without its path (an assumed-role ARN does not carry it). */
export function sessionRoleArn(principal: Extract<ParsedPrincipal, { kind: 'session' }>): string {
  return iamArn(principal.partition, principal.account, `role/${principal.roleName}`);
}
