/**
 * Organization mode on a moto_server of its own, as the loop and its fault cases start it: moto
 * keeping state per account, the organization deployed into it (organization-deployment.ts), the
 * accounts proxy in front (STS trust and expiry, the account of every call) and the named fake of
 * EventBridge's cross-account forwarding.
 */
import { EventBridgeCrossAccountForwardingFake } from '../../../support/organization/eventbridge-forwarding-fake';
import { startMoto, type MotoServer } from '../../support/moto';
import { startAccountsProxy, type AccountsProxy } from './accounts-proxy';
import { deployOrganization, type OrganizationDeployment } from './organization-deployment';

export interface OrganizationOnMoto {
  moto: MotoServer;
  deployment: OrganizationDeployment;
  proxy: AccountsProxy;
  fake: EventBridgeCrossAccountForwardingFake;
  /** Account id -> its organization id; null outside the organization. */
  organizationOf: (accountId: string) => string | null;
  stop(): Promise<void>;
}

export async function startOrganizationOnMoto(): Promise<OrganizationOnMoto> {
  const moto = await startMoto({ accountPerRequest: true });
  const deployment = await deployOrganization(moto.endpoint);
  const { organization } = deployment;
  const inOrganization = new Set([
    organization.managementAccountId,
    organization.hub.id,
    organization.memberA.id,
    organization.memberB.id,
  ]);
  const organizationOf = (account: string): string | null =>
    inOrganization.has(account) ? organization.organizationId : null;
  const proxy = await startAccountsProxy({ upstream: moto.endpoint, organizationOf });
  const fake = new EventBridgeCrossAccountForwardingFake(
    (account, region) => deployment.clients(account, region),
    { organizationOf },
  );
  return {
    moto,
    deployment,
    proxy,
    fake,
    organizationOf,
    stop: async () => {
      deployment.destroy();
      await proxy.close();
      await moto.stop();
    },
  };
}
