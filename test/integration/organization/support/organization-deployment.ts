/**
 * Organization mode deployed into moto, as the hub stack and the StackSet's member stacks would
 * deploy it: the organization (seed-organization.ts); in the hub account the hub bus with its policy,
 * the denial rule on it and the denial queue, and the hub functions' roles; in each member account
 * and member region the forward role and the forwarding rule on the default bus (the very denial
 * pattern, targeting the hub bus); in each member's role region the read and apply roles; and in each
 * member the seed's Glue scenario, with the member's own account id.
 *
 * The bus policy and the member template are written here after the team's contract until the `hub`
 * and `members` stacks are on main; then they should be read from the synthesized templates.
 */
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateEventBusCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { HUB_BUS_NAME, MEMBER_ROLE_NAMES } from '../../../../lib/organization/names';
import { passRoleDenialEventPatternJson } from '../../../../lib/denial-event-patterns';
import { SEED_ACCOUNT, seedGlueAccount, type SeedAccount } from '../../support/seed-account';
import { createQueue, type TestQueue } from '../../support/sqs-queues';
import { SEED_RECORD } from '../../../handlers/diagnose/support';
import { accountClients, type AccountClients } from './moto-accounts';
import { createHubRoles, createMemberRoles, EXTERNAL_ID } from './member-roles';
import { MOTO_DEFAULT_ACCOUNT_ID, seedOrganization, type SeededOrganization } from './seed-organization';
import type { OrganizationAccount } from '../../../../lambda/core/organization/model';

export const HUB_REGION = 'us-east-1';
/** The StackSet's regions: a forwarding rule in each. */
export const MEMBER_REGIONS = ['us-east-1', 'eu-west-1'] as const;
/** The one region with the read and apply roles (IAM is global; the roles are created once). */
export const MEMBER_ROLE_REGION = 'us-east-1';
export const MEMBER_RULE_NAME = 'PassRoleDoctorMember-Forward';
export const HUB_RULE_NAME = 'passrole-denials';

export interface OrganizationDeployment {
  organization: SeededOrganization;
  hubBusArn: string;
  hubQueue: TestQueue;
  /** Clients of an account in a region, by the moto account header (cached). */
  clients(accountId: string, region?: string): AccountClients;
  destroy(): void;
}

export function hubBusArnOf(hubAccountId: string, region = HUB_REGION): string {
  return `arn:aws:events:${region}:${hubAccountId}:event-bus/${HUB_BUS_NAME}`;
}

export function forwardRoleName(region: string): string {
  return `${MEMBER_ROLE_NAMES.forward}-${region}`;
}

/** The hub bus's policy (contract): PutEvents only from the organization, only by the forward roles. */
export function hubBusPolicy(busArn: string, organizationId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'MemberForwardRoles',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': organizationId },
          ArnLike: { 'aws:PrincipalArn': `arn:*:iam::*:role/${MEMBER_ROLE_NAMES.forward}-*` },
        },
      },
    ],
  });
}

export async function deployOrganization(endpoint: string): Promise<OrganizationDeployment> {
  const cache = new Map<string, AccountClients>();
  const clients = (accountId: string, region: string = HUB_REGION): AccountClients => {
    const key = `${accountId}/${region}`;
    let found = cache.get(key);
    if (found === undefined) {
      found = accountClients(endpoint, accountId, region);
      cache.set(key, found);
    }
    return found;
  };
  const management = clients('111111111111');
  const organization = await seedOrganization(management.organizations);
  const hubId = organization.hub.id;
  const hub = clients(hubId);

  const hubBusArn =
    (await hub.eventBridge.send(new CreateEventBusCommand({ Name: HUB_BUS_NAME }))).EventBusArn ?? '';
  await hub.eventBridge.send(
    new PutPermissionCommand({
      EventBusName: HUB_BUS_NAME,
      Policy: hubBusPolicy(hubBusArn, organization.organizationId),
    }),
  );
  const hubQueue = await createQueue(hub.sqs, 'passrole-doctor-hub-denials');
  await hub.eventBridge.send(
    new PutRuleCommand({
      Name: HUB_RULE_NAME,
      EventBusName: HUB_BUS_NAME,
      EventPattern: passRoleDenialEventPatternJson(),
      State: 'ENABLED',
    }),
  );
  await hub.eventBridge.send(
    new PutTargetsCommand({
      Rule: HUB_RULE_NAME,
      EventBusName: HUB_BUS_NAME,
      Targets: [{ Id: 'queue', Arn: hubQueue.arn }],
    }),
  );
  await createHubRoles(hub.iam);

  for (const member of [organization.memberA, organization.memberB]) {
    await deployMember(clients, member, organization, hubBusArn);
  }
  return {
    organization,
    hubBusArn,
    hubQueue,
    clients,
    destroy: () => {
      for (const client of cache.values()) client.destroy();
    },
  };
}

/** One member account: what the StackSet's instances (one per member region) create. */
export async function deployMember(
  clients: (accountId: string, region?: string) => AccountClients,
  member: OrganizationAccount,
  organization: SeededOrganization,
  hubBusArn: string,
): Promise<void> {
  for (const region of MEMBER_REGIONS) {
    const inRegion = clients(member.id, region);
    const roleName = forwardRoleName(region);
    const role = await inRegion.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await inRegion.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'PutOnHubBus',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: hubBusArn }],
        }),
      }),
    );
    await inRegion.eventBridge.send(
      new PutRuleCommand({
        Name: MEMBER_RULE_NAME,
        EventPattern: passRoleDenialEventPatternJson(),
        State: 'ENABLED',
      }),
    );
    await inRegion.eventBridge.send(
      new PutTargetsCommand({
        Rule: MEMBER_RULE_NAME,
        Targets: [{ Id: 'hub-bus', Arn: hubBusArn, RoleArn: role.Role?.Arn ?? '' }],
      }),
    );
    if (region === MEMBER_ROLE_REGION) {
      await createMemberRoles(
        inRegion.iam,
        {
          hubAccountId: organization.hub.id,
          organizationId: organization.organizationId,
          externalId: EXTERNAL_ID,
        },
        member.id,
      );
      await seedGlueAccount(inRegion.iam, seedOf(member.id));
    }
  }
}

/** The seed's account, its ARNs in `accountId` instead of the example's. */
export function seedOf(accountId: string): SeedAccount {
  return JSON.parse(
    JSON.stringify(SEED_ACCOUNT).replaceAll(MOTO_DEFAULT_ACCOUNT_ID, accountId),
  ) as SeedAccount;
}

/** The seed's UpdateJob denial as it happened in `accountId` (every account field the member's). */
export function seedDenialIn(accountId: string, eventId: string): Record<string, unknown> {
  const record = JSON.parse(
    JSON.stringify(SEED_RECORD).replaceAll(MOTO_DEFAULT_ACCOUNT_ID, accountId),
  ) as Record<string, unknown>;
  return { ...record, eventID: eventId };
}
