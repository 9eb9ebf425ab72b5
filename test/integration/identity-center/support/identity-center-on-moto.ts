/**
 * Organization mode with Identity Center on a moto_server of its own: the organization deployed as
 * the hub tests deploy it (organization-deployment.ts: hub, members A and B, their member roles), the
 * Identity Center instance seeded in the management account (seed-identity-center.ts) with the two
 * Identity Center roles there, and in front of moto, in this order:
 *
 *   SDK clients -> accounts proxy (STS trust and expiry, the account and role of every call)
 *               -> IdentityCenterProvisioningFake (what moto's sso-admin lacks) -> moto
 *
 * The hub's functions (hub-functions.ts) send through the accounts proxy, so every sso-admin call
 * they make is recorded with the role that made it.
 */
import { AssumeRoleCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { startMoto, type MotoServer } from '../../support/moto';
import { sameRealmErrors } from '../../support/remediation-loop';
import {
  startIdentityCenterProvisioningFake,
  type IdentityCenterProvisioningFake,
} from '../../support/identity-center-provisioning-fake';
import { startAccountsProxy, type AccountsProxy } from '../../organization/support/accounts-proxy';
import { hubFunctions, type HubFunctions } from '../../organization/support/hub-functions';
import { EXTERNAL_ID, type HubFunction } from '../../organization/support/member-roles';
import { identityOf } from '../../organization/support/moto-accounts';
import {
  deployOrganization,
  type OrganizationDeployment,
} from '../../organization/support/organization-deployment';
import { createIdentityCenterRoles, identityCenterRoleArn } from './identity-center-roles';
import {
  IDENTITY_CENTER_REGION,
  seedIdentityCenter,
  type SeededIdentityCenter,
} from './seed-identity-center';

export interface IdentityCenterOnMoto {
  moto: MotoServer;
  deployment: OrganizationDeployment;
  fake: IdentityCenterProvisioningFake;
  proxy: AccountsProxy;
  identityCenter: SeededIdentityCenter;
  functions: HubFunctions;
  /**
   * sso-admin and identitystore clients as a hub function gets them: its own session assumes the
   * Identity Center role (`read` or `apply`) in the management account, with the external id (and the
   * approver as source identity for `apply`), through the accounts proxy.
   */
  identityCenterSession(
    fn: HubFunction,
    kind: 'read' | 'apply',
    sourceIdentity?: string,
  ): Promise<IdentityCenterSession>;
  stop(): Promise<void>;
}

export interface IdentityCenterSession {
  sso: SSOAdminClient;
  identityStore: IdentitystoreClient;
  credentials: Credentials;
}

export async function startIdentityCenterOnMoto(): Promise<IdentityCenterOnMoto> {
  const moto = await startMoto({ accountPerRequest: true });
  const destroyers: (() => void)[] = [];
  const closers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const destroy of destroyers.reverse()) destroy();
    for (const close of closers.reverse()) await close();
    await moto.stop();
  };
  try {
    const deployment = await deployOrganization(moto.endpoint);
    destroyers.push(deployment.destroy);
    const { organization } = deployment;
    const inOrganization = new Set([
      organization.managementAccountId,
      organization.hub.id,
      organization.memberA.id,
      organization.memberB.id,
    ]);
    const organizationOf = (account: string): string | null =>
      inOrganization.has(account) ? organization.organizationId : null;
    const fake = await startIdentityCenterProvisioningFake({
      upstream: moto.endpoint,
      instanceRegion: IDENTITY_CENTER_REGION,
    });
    closers.push(() => fake.close());
    const proxy = await startAccountsProxy({ upstream: fake.endpoint, organizationOf });
    closers.push(() => proxy.close());
    await createIdentityCenterRoles(deployment.clients(organization.managementAccountId).iam, {
      hubAccountId: organization.hub.id,
      organizationId: organization.organizationId,
      externalId: EXTERNAL_ID,
      managementAccountId: organization.managementAccountId,
      region: IDENTITY_CENTER_REGION,
    });
    const identityCenter = await seedIdentityCenter({
      fake,
      managementAccountId: organization.managementAccountId,
      memberA: organization.memberA.id,
      memberB: organization.memberB.id,
      iamOf: (account) => deployment.clients(account).iam,
    });
    destroyers.push(identityCenter.destroy);
    const functions = await hubFunctions({
      motoEndpoint: moto.endpoint,
      proxyEndpoint: proxy.endpoint,
      deployment,
    });
    destroyers.push(functions.destroy);

    const identityCenterSession = async (
      fn: HubFunction,
      kind: 'read' | 'apply',
      sourceIdentity?: string,
    ): Promise<IdentityCenterSession> => {
      const own = identityOf(await functions.credentials(fn));
      const sts = new STSClient({
        endpoint: proxy.endpoint,
        region: IDENTITY_CENTER_REGION,
        credentials: own,
        maxAttempts: 1,
      });
      sameRealmErrors(sts.middlewareStack);
      destroyers.push(() => sts.destroy());
      const assumed = await sts.send(
        new AssumeRoleCommand({
          RoleArn: identityCenterRoleArn(organization.managementAccountId, kind),
          RoleSessionName: `${fn}-identity-center`,
          ExternalId: EXTERNAL_ID,
          ...(sourceIdentity === undefined ? {} : { SourceIdentity: sourceIdentity }),
        }),
      );
      const credentials = assumed.Credentials as Credentials;
      const config = {
        endpoint: proxy.endpoint,
        region: IDENTITY_CENTER_REGION,
        credentials: identityOf(credentials),
        maxAttempts: 1,
      };
      const sso = new SSOAdminClient(config);
      const identityStore = new IdentitystoreClient(config);
      sameRealmErrors(sso.middlewareStack);
      sameRealmErrors(identityStore.middlewareStack);
      destroyers.push(() => {
        sso.destroy();
        identityStore.destroy();
      });
      return { sso, identityStore, credentials };
    };

    return {
      moto,
      deployment,
      fake,
      proxy,
      identityCenter,
      functions,
      identityCenterSession,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
