/**
 * STAND-INS for the organization adapters other engineers are building, so the loop runs on main
 * now. Each implements the shared port, plainly and without caching; at merge the loop takes the real
 * one instead (one line each in hub-loop.test.ts):
 *
 * - `AssumedRoleAccountAccess` for `sessions`' MemberAccountAccess
 *   (lambda/adapters/aws/organization/member-account-access.ts);
 * - `ManagementOrganizationReader` for `orgreader`'s OrganizationsReader
 *   (lambda/adapters/aws/organizations-reader.ts).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type Credentials, type STSClient } from '@aws-sdk/client-sts';
import { IamPolicyWriter } from '../../../../lambda/adapters/aws/iam-policy-writer';
import { TargetedAccountReader } from '../../../../lambda/adapters/aws/targeted-account-reader';
import { LocalPolicySimulator } from '../../../../lambda/adapters/local/local-policy-simulator';
import { MemberAccessError } from '../../../../lambda/core/errors';
import type { PolicyDocument } from '../../../../lambda/core/model';
import type { OrganizationAccount } from '../../../../lambda/core/organization/model';
import type {
  AccountAccess,
  AccountReadAccess,
  AccountWriteAccess,
} from '../../../../lambda/ports/account-access';
import type { OrganizationReader, ServiceControlPolicy } from '../../../../lambda/ports/organization-reader';
import { sameRealmErrors } from '../../support/remediation-loop';
import { identityOf } from './moto-accounts';
import { memberRoleArn } from './member-roles';
import type { OrganizationsJsonClient } from './organizations-json';

export interface AssumedRoleAccessOptions {
  /** Where the member IAM clients send (the accounts proxy). */
  endpoint: string;
  region: string;
  externalId: string;
  /** The hub function's own STS client (its execution role). */
  sts: STSClient;
  sessionName: string;
  organization?: OrganizationReader;
}

/** STAND-IN for MemberAccountAccess: assumes the member role on every call. */
export class AssumedRoleAccountAccess implements AccountAccess {
  /** Every IAM client built, so the test can close them. */
  readonly clients: IAMClient[] = [];

  constructor(private readonly options: AssumedRoleAccessOptions) {}

  async read(accountId: string): Promise<AccountReadAccess> {
    const iam = this.iamClient(await this.assume(accountId, 'read', null));
    const scps = this.options.organization
      ? await this.options.organization.serviceControlPolicies(accountId)
      : null;
    const reader = new TargetedAccountReader(iam, { scps });
    return {
      accountId,
      accountReader: reader,
      escalationReader: reader,
      instanceProfiles: reader,
      rolePaths: reader,
      simulator: new LocalPolicySimulator(),
    };
  }

  async write(accountId: string, sourceIdentity: string): Promise<AccountWriteAccess> {
    const iam = this.iamClient(await this.assume(accountId, 'apply', sourceIdentity));
    const reader = new TargetedAccountReader(iam);
    return {
      accountId,
      accountReader: reader,
      escalationReader: reader,
      instanceProfiles: reader,
      rolePaths: reader,
      simulator: new LocalPolicySimulator(),
      writer: new IamPolicyWriter(iam),
    };
  }

  private async assume(
    accountId: string,
    role: 'read' | 'apply',
    sourceIdentity: string | null,
  ): Promise<Credentials> {
    try {
      const assumed = await this.options.sts.send(
        new AssumeRoleCommand({
          RoleArn: memberRoleArn(accountId, role),
          RoleSessionName: this.options.sessionName,
          ExternalId: this.options.externalId,
          ...(sourceIdentity !== null ? { SourceIdentity: sourceIdentity } : {}),
        }),
      );
      return assumed.Credentials as Credentials;
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === 'AccessDenied' || name === 'NoSuchEntity') {
        throw new MemberAccessError(
          accountId,
          'role-unavailable',
          `cannot assume ${memberRoleArn(accountId, role)}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  private iamClient(credentials: Credentials): IAMClient {
    const iam = new IAMClient({
      endpoint: this.options.endpoint,
      region: this.options.region,
      credentials: identityOf(credentials),
      maxAttempts: 1,
    });
    sameRealmErrors(iam.middlewareStack);
    this.clients.push(iam);
    return iam;
  }
}

interface OrganizationsPolicySummary {
  Id: string;
  Name: string;
}

/**
 * STAND-IN for OrganizationsReader, reading as the management account: moto keeps the organization
 * in the management account's state, so a delegated administrator's reads find no accounts there.
 */
export class ManagementOrganizationReader implements OrganizationReader {
  constructor(private readonly management: OrganizationsJsonClient) {}

  async account(accountId: string): Promise<OrganizationAccount | null> {
    let name: string;
    try {
      name = (
        await this.management.call<{ Account: { Name: string } }>('DescribeAccount', { AccountId: accountId })
      ).Account.Name;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'AccountNotFoundException') return null;
      throw error;
    }
    return { id: accountId, name, ouPath: await this.ouPath(accountId) };
  }

  async serviceControlPolicies(accountId: string): Promise<ServiceControlPolicy[][]> {
    const levels = [...(await this.ouPath(accountId)).map((unit) => unit.id), accountId];
    const result: ServiceControlPolicy[][] = [];
    for (const target of levels) {
      const listed = await this.management.call<{ Policies: OrganizationsPolicySummary[] }>(
        'ListPoliciesForTarget',
        {
          TargetId: target,
          Filter: 'SERVICE_CONTROL_POLICY',
        },
      );
      const level: ServiceControlPolicy[] = [];
      for (const summary of listed.Policies) {
        const described = await this.management.call<{ Policy: { Content: string } }>('DescribePolicy', {
          PolicyId: summary.Id,
        });
        level.push({ name: summary.Name, document: JSON.parse(described.Policy.Content) as PolicyDocument });
      }
      result.push(level);
    }
    return result;
  }

  private async ouPath(accountId: string): Promise<OrganizationAccount['ouPath']> {
    const path: OrganizationAccount['ouPath'] = [];
    let child = accountId;
    for (;;) {
      const parents = await this.management.call<{ Parents: { Id: string; Type: string }[] }>('ListParents', {
        ChildId: child,
      });
      const parent = parents.Parents[0];
      if (parent === undefined) return path;
      if (parent.Type === 'ROOT') {
        path.unshift({ id: parent.Id, name: 'Root' });
        return path;
      }
      const unit = await this.management.call<{ OrganizationalUnit: { Name: string } }>(
        'DescribeOrganizationalUnit',
        {
          OrganizationalUnitId: parent.Id,
        },
      );
      path.unshift({ id: parent.Id, name: unit.OrganizationalUnit.Name });
      child = parent.Id;
    }
  }
}
