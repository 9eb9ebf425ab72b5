/**
 * A FAKE OrganizationReader for unit tests: an organization held in memory (accounts with their OU
 * paths, SCP levels per account), counting what it is asked. The real one is OrganizationsReader
 * (lambda/adapters/aws/organizations-reader.ts), tested on moto.
 */
import type { OrganizationAccount, OrganizationalUnit } from '../../lambda/core/organization/model';
import type { OrganizationReader, ServiceControlPolicy } from '../../lambda/ports/organization-reader';

export const ROOT: OrganizationalUnit = { id: 'r-ab12', name: 'Root' };
export const WORKLOADS: OrganizationalUnit = { id: 'ou-ab12-workload1', name: 'Workloads' };
export const PAYMENTS: OrganizationalUnit = { id: 'ou-ab12-payments1', name: 'Payments' };
export const SANDBOX: OrganizationalUnit = { id: 'ou-ab12-sandbox01', name: 'Sandbox' };

export class FakeOrganizationReader implements OrganizationReader {
  readonly asked: { account: string[]; serviceControlPolicies: string[] } = {
    account: [],
    serviceControlPolicies: [],
  };
  private readonly accounts = new Map<string, OrganizationAccount>();
  private readonly scps = new Map<string, ServiceControlPolicy[][]>();
  /** Set to make every call reject (Organizations throttling, access denied). */
  failure: Error | null = null;

  add(account: OrganizationAccount, scps: ServiceControlPolicy[][] = []): this {
    this.accounts.set(account.id, account);
    this.scps.set(account.id, scps);
    return this;
  }

  async account(accountId: string): Promise<OrganizationAccount | null> {
    this.asked.account.push(accountId);
    if (this.failure !== null) throw this.failure;
    return this.accounts.get(accountId) ?? null;
  }

  async serviceControlPolicies(accountId: string): Promise<ServiceControlPolicy[][]> {
    this.asked.serviceControlPolicies.push(accountId);
    if (this.failure !== null) throw this.failure;
    return this.scps.get(accountId) ?? [];
  }
}
