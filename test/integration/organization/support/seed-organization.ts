/**
 * The organization the hub tests run in, seeded in moto's Organizations: a management account that
 * creates the organization; a Workloads OU (member A, with an SCP attached to the OU) and a Sandbox
 * OU (member B), both enrolled; the hub (security) account under the root, with trusted access for StackSets on. moto gives created accounts random ids and keeps the whole
 * organization in the management account's state (a read from another account finds no accounts),
 * so Organizations reads in these tests go through the management account's clients.
 */
import type { PolicyDocument } from '../../../../lambda/core/model';
import type { OrganizationAccount } from '../../../../lambda/core/organization/model';
import type { OrganizationsJsonClient } from './organizations-json';

/** The management account: moto's organization lives in its state. */
export const MANAGEMENT_ACCOUNT_ID = '111111111111';
/** An account no organization of this run knows. */
export const OUTSIDE_ACCOUNT_ID = '999999999999';
/** moto's MOTO_ACCOUNT_ID default: no account of the organization may be it (it is the suite's). */
export const MOTO_DEFAULT_ACCOUNT_ID = '123456789012';

export const SCP_NAME = 'DenyPassingBreakGlassRoles';
/** Attached to the Workloads OU: member A's passes of break-glass roles are denied by the organization. */
export const WORKLOADS_SCP: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyPassingBreakGlassRoles',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::*:role/break-glass-*',
    },
  ],
};

export interface SeededOrganization {
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  hub: OrganizationAccount;
  /** In Workloads, under the SCP. */
  memberA: OrganizationAccount;
  /** In Sandbox. */
  memberB: OrganizationAccount;
  /** The OUs the StackSet targets (Workloads, Sandbox). */
  memberOus: string[];
  scpId: string;
}

interface Named {
  Id: string;
  Name: string;
}

/** Seeds the organization through the management account's Organizations API. */
export async function seedOrganization(management: OrganizationsJsonClient): Promise<SeededOrganization> {
  const created = await management.call<{ Organization: { Id: string } }>('CreateOrganization', {
    FeatureSet: 'ALL',
  });
  const roots = await management.call<{ Roots: Named[] }>('ListRoots');
  const root = roots.Roots[0];
  if (root === undefined) throw new Error('moto created an organization without a root');
  await management.call('EnablePolicyType', { RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' });

  const ou = async (name: string): Promise<Named> =>
    (
      await management.call<{ OrganizationalUnit: Named }>('CreateOrganizationalUnit', {
        ParentId: root.Id,
        Name: name,
      })
    ).OrganizationalUnit;
  const workloads = await ou('Workloads');
  const sandbox = await ou('Sandbox');

  const account = async (name: string, parent: Named | null): Promise<OrganizationAccount> => {
    const status = await management.call<{ CreateAccountStatus: { AccountId: string } }>('CreateAccount', {
      AccountName: name,
      Email: `${name.toLowerCase()}@example.com`,
    });
    const id = status.CreateAccountStatus.AccountId;
    if (parent !== null) {
      await management.call('MoveAccount', {
        AccountId: id,
        SourceParentId: root.Id,
        DestinationParentId: parent.Id,
      });
    }
    const path = [{ id: root.Id, name: root.Name }];
    if (parent !== null) path.push({ id: parent.Id, name: parent.Name });
    return { id, name, ouPath: path };
  };
  const hub = await account('Security', null);
  const memberA = await account('Payments-Prod', workloads);
  const memberB = await account('Data-Sandbox', sandbox);
  for (const seeded of [hub, memberA, memberB]) {
    if (seeded.id === MOTO_DEFAULT_ACCOUNT_ID || seeded.id === OUTSIDE_ACCOUNT_ID) {
      throw new Error(`moto gave a seeded account the reserved id ${seeded.id}: run the suite again`);
    }
  }

  // Trusted access for StackSets. moto cannot register the hub as delegated administrator for
  // StackSets (its RegisterDelegatedAdministrator knows six other services), and nothing here needs it.
  await management.call('EnableAWSServiceAccess', {
    ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
  });

  const policy = await management.call<{ Policy: { PolicySummary: { Id: string } } }>('CreatePolicy', {
    Name: SCP_NAME,
    Description: 'Break-glass roles are passed by no workload',
    Type: 'SERVICE_CONTROL_POLICY',
    Content: JSON.stringify(WORKLOADS_SCP),
  });
  const scpId = policy.Policy.PolicySummary.Id;
  await management.call('AttachPolicy', { PolicyId: scpId, TargetId: workloads.Id });

  return {
    organizationId: created.Organization.Id,
    rootId: root.Id,
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    hub,
    memberA,
    memberB,
    memberOus: [workloads.Id, sandbox.Id],
    scpId,
  };
}
