/** Who made the denied call, and which IAM entity's policies IAM evaluated for it. */
import type { PrincipalType } from '../model';
import { iamArn, parseArn, roleNameOf } from '../iam/arn';
import { type JsonObject, objectField, stringField } from './json';

export interface PrincipalReading {
  /** The caller as CloudTrail recorded it (the sts ARN for a session); null when the record does not say. */
  principalArn: string | null;
  principalType: PrincipalType;
  /** The IAM entity whose policies are evaluated. */
  policySourceArn: string | null;
  permissionSetName: string | null;
  /** aws:PrincipalArn as IAM sets it for this caller; null when unknown. */
  contextPrincipalArn: string | null;
  /** The caller's account and partition, for expanding short role names. */
  account: string | null;
  partition: string | null;
  notes: string[];
}

const SSO_PATH_MARKER = '/aws-reserved/sso.amazonaws.com/';
const SSO_ROLE_PREFIX = 'AWSReservedSSO_';
const SERVICE_LINKED_PATH = 'role/aws-service-role/';
/** AWSReservedSSO_<PermissionSet>_<16 hex digits>; permission set names may themselves contain '_'. */
const SSO_ROLE_NAME = /^AWSReservedSSO_(.+)_([0-9a-f]{16})$/;
const ASSUMED_ROLE_ARN = /^arn:([a-z0-9-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

function permissionSetOf(roleName: string): string | null {
  return SSO_ROLE_NAME.exec(roleName)?.[1] ?? null;
}

function readRoleSession(
  identity: JsonObject,
  arn: string | null,
  base: Pick<PrincipalReading, 'account' | 'partition'>,
): PrincipalReading {
  const notes: string[] = [];
  const issuer = objectField(objectField(identity, 'sessionContext'), 'sessionIssuer');
  let roleArn = stringField(issuer, 'arn');
  if (roleArn !== null && parseArn(roleArn)?.resource.startsWith('role/') !== true) {
    notes.push(`sessionIssuer.arn ${roleArn} is not a role ARN; ignored`);
    roleArn = null;
  }
  if (roleArn === null) {
    const session = arn === null ? null : ASSUMED_ROLE_ARN.exec(arn);
    if (session !== null) {
      const [, partition, account, roleName] = session;
      roleArn = iamArn(partition ?? '', account ?? '', `role/${roleName}`);
      notes.push(
        `userIdentity.sessionContext.sessionIssuer is missing: role ARN ${roleArn} rebuilt from the session ARN; the role's path is unknown`,
      );
    } else {
      notes.push('userIdentity names no role for this session: the role whose policies apply is unknown');
    }
  }
  const roleName = roleArn === null ? null : roleNameOf(roleArn);
  const isSso =
    roleArn !== null && (roleArn.includes(SSO_PATH_MARKER) || roleName?.startsWith(SSO_ROLE_PREFIX) === true);
  const isServiceLinked =
    roleArn !== null && parseArn(roleArn)?.resource.startsWith(SERVICE_LINKED_PATH) === true;
  let principalType: PrincipalType = roleArn === null ? 'unknown' : 'role';
  let permissionSetName: string | null = null;
  if (isSso && roleName !== null) {
    principalType = 'sso-role';
    permissionSetName = permissionSetOf(roleName);
    if (permissionSetName === null) {
      notes.push(
        `role ${roleName} is an IAM Identity Center role but not named AWSReservedSSO_<PermissionSet>_<id>: permission set unknown`,
      );
    }
  } else if (isServiceLinked) {
    principalType = 'service-linked-role';
  }
  return {
    principalArn: arn,
    principalType,
    policySourceArn: roleArn,
    permissionSetName,
    contextPrincipalArn: roleArn,
    ...base,
    notes,
  };
}

/** The caller from userIdentity; `messagePrincipal` (the message's 'User: <arn>') stands in for a missing arn. */
export function readPrincipal(identity: JsonObject, messagePrincipal: string | null): PrincipalReading {
  const recordedArn = stringField(identity, 'arn');
  const arn = recordedArn ?? messagePrincipal;
  const parsed = arn === null ? null : parseArn(arn);
  const account = stringField(identity, 'accountId') ?? (parsed?.account || null);
  const base = { account, partition: parsed?.partition ?? null };
  const notes: string[] = [];
  if (recordedArn === null && messagePrincipal !== null) {
    notes.push(`userIdentity has no arn: the caller ${messagePrincipal} is taken from errorMessage`);
  }
  const withNotes = (reading: PrincipalReading): PrincipalReading => ({
    ...reading,
    notes: [...notes, ...reading.notes],
  });
  const type = stringField(identity, 'type');
  const unknown: PrincipalReading = {
    principalArn: arn,
    principalType: 'unknown',
    policySourceArn: null,
    permissionSetName: null,
    contextPrincipalArn: null,
    ...base,
    notes: [`userIdentity.type ${type ?? '(missing)'}: no IAM user or role whose policies can be read`],
  };

  switch (type) {
    case 'IAMUser':
      if (parsed === null || !parsed.resource.startsWith('user/')) return withNotes(unknown);
      return withNotes({
        principalArn: arn,
        principalType: 'user',
        policySourceArn: arn,
        permissionSetName: null,
        contextPrincipalArn: arn,
        ...base,
        notes: [],
      });
    case 'AssumedRole':
      return withNotes(readRoleSession(identity, arn, base));
    case 'Root': {
      const partition = base.partition ?? 'aws';
      const rootArn = account === null ? null : iamArn(partition, account, 'root');
      return withNotes({
        principalArn: arn ?? rootArn,
        principalType: 'root',
        policySourceArn: null,
        permissionSetName: null,
        contextPrincipalArn: rootArn,
        ...base,
        notes: [],
      });
    }
    case 'FederatedUser': {
      // GetFederationToken: the session's permissions are bounded by the IAM user that issued it.
      const issuerArn = stringField(
        objectField(objectField(identity, 'sessionContext'), 'sessionIssuer'),
        'arn',
      );
      const issuerIsUser = issuerArn !== null && parseArn(issuerArn)?.resource.startsWith('user/') === true;
      return withNotes({
        principalArn: arn,
        principalType: 'federated',
        policySourceArn: issuerIsUser ? issuerArn : null,
        permissionSetName: null,
        // IAM sets aws:PrincipalArn to the federated-user ARN for these sessions.
        contextPrincipalArn: arn,
        ...base,
        notes: issuerIsUser
          ? ['federated user session: its session policy (not in CloudTrail) also limits it']
          : [
              'federated user session without an IAM user as sessionIssuer: the user whose policies apply is unknown',
            ],
      });
    }
    default:
      return withNotes(unknown);
  }
}
