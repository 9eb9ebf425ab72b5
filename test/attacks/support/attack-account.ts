/**
 * The account the handler-level attacks run in, on moto: the seed scenario (mei.tanaka, of the groups
 * GlueAccess and Developers, denied passing etl-nightly-runtime to Glue; li.wei also in GlueAccess;
 * sam.ortiz a Developer outside it) plus the roles the attacks pass: one whose name collides with the
 * seed role's, an administrator, one that can rewrite code, and a reviewers' role for approvers.
 */
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDenials } from '../../../lambda/core/denial';
import type { Denial } from '../../../lambda/core/model';
import { MOTO_ACCOUNT_ID } from '../../integration/support/aws-clients';
import { seedGlueAccount } from '../../integration/support/seed-account';

export const ACCOUNT = MOTO_ACCOUNT_ID;
export const iamArn = (kind: 'user' | 'role' | 'group', name: string): string =>
  `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
export const sessionArn = (role: string, session: string): string =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`;

/** The denied developer, a member of the target group, and a developer outside it. */
export const DENIED = iamArn('user', 'mei.tanaka');
export const TARGET_GROUP = 'GlueAccess';
export const GROUP_MEMBER = iamArn('user', 'li.wei');
export const OUTSIDER = iamArn('user', 'sam.ortiz');
export const REVIEWER_ROLE = 'security-reviewer';
/** A role whose session is denied: the proposal's target is the role itself. */
export const DENIED_ROLE = 'ci-deployer';

/** The roles the attacks ask to pass, by what passing them gives. */
export const ROLES = {
  /** The seed's: data access only (contained). */
  contained: 'etl-nightly-runtime',
  /** The same plain policy name as the seed role's (AllowPassEtlNightlyRuntimeToGlue). */
  collision: 'etl_nightly_runtime',
  /** AdministratorAccess. */
  admin: 'ops-admin',
  /** Rewrites and runs any function's code: code execution as other identities (sensitive). */
  sensitive: 'code-deployer',
} as const;

const GLUE_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const ACCOUNT_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});

export async function buildAttackAccount(iam: IAMClient): Promise<void> {
  await seedGlueAccount(iam);
  const role = async (name: string, trust: string): Promise<void> => {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  };
  await role(ROLES.collision, GLUE_TRUST);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLES.collision,
      PolicyName: 'EtlStaging',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::example-staging/*' }],
      }),
    }),
  );
  await role(ROLES.admin, GLUE_TRUST);
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: ROLES.admin,
      PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
  );
  await role(ROLES.sensitive, GLUE_TRUST);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLES.sensitive,
      PolicyName: 'DeployAnyFunction',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  await role(REVIEWER_ROLE, ACCOUNT_TRUST);
  await role(DENIED_ROLE, ACCOUNT_TRUST);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: DENIED_ROLE,
      PolicyName: 'DeployGlueJobs',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['glue:UpdateJob', 'glue:GetJob'], Resource: '*' }],
      }),
    }),
  );
}

const SEED_EVENT = JSON.parse(
  readFileSync(join(__dirname, '../../../examples/seed/denial.json'), 'utf8'),
) as Record<string, unknown>;

let eventCounter = 0;

/** The seed denial made by a session of DENIED_ROLE instead of mei.tanaka. */
export function roleSessionDenialFor(roleName: string): Denial {
  const session = sessionArn(DENIED_ROLE, 'build-42');
  const roleArn = iamArn('role', DENIED_ROLE);
  const event = {
    ...SEED_EVENT,
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLECIDEPLOYER:build-42',
      arn: session,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY000042',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLECIDEPLOYER',
          arn: roleArn,
          accountId: ACCOUNT,
          userName: DENIED_ROLE,
        },
        attributes: { creationDate: '2026-06-17T01:58:11Z', mfaAuthenticated: 'false' },
      },
    },
    errorMessage:
      `User: ${session} is not authorized to perform: iam:PassRole on resource: ${iamArn('role', roleName)} ` +
      'because no identity-based policy allows the iam:PassRole action',
  };
  return denialFor(roleName, event);
}

/** The seed denial (mei.tanaka passing a role to Glue), for `roleName` instead of the seed's role. */
export function denialFor(roleName: string, base: Record<string, unknown> = SEED_EVENT): Denial {
  eventCounter += 1;
  const text = JSON.stringify(base).split(ROLES.contained).join(roleName);
  const event = {
    ...(JSON.parse(text) as Record<string, unknown>),
    eventID: `attack-${eventCounter}-${roleName}`,
    requestID: `attack-request-${eventCounter}`,
  };
  const [outcome] = readDenials(event, `denial for ${roleName}`);
  if (outcome?.kind !== 'denial') throw new Error(`the seed event for ${roleName} is not a denial`);
  return outcome.denial;
}
