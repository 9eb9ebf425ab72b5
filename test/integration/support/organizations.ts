/**
 * Seeds moto's AWS Organizations over its JSON 1.1 protocol (no npm Organizations client is
 * installed). moto keeps the organization in the management account's state: calls made as another
 * account (x-moto-account-id) see no accounts or OUs, so seeding and reading go as the management
 * account (MOTO_ACCOUNT_ID). moto attaches FullAWSAccess to the root and the management account only;
 * AWS attaches it to every new OU and account once SCPs are enabled, so the seed does that too.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { motoEndpoint, MOTO_ACCOUNT_ID } from './aws-clients';

const signer = new SignatureV4({
  service: 'organizations',
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  sha256: Sha256,
});

/** One Organizations call against moto, as `account`; rejects with moto's error type and message. */
export async function organizationsCall(
  operation: string,
  input: Record<string, unknown>,
  account: string = MOTO_ACCOUNT_ID,
): Promise<Record<string, unknown>> {
  const url = new URL(motoEndpoint());
  const body = JSON.stringify(input);
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSOrganizationsV20161128.${operation}`,
      'x-moto-account-id': account,
    },
    body,
  });
  const signed = await signer.sign(request);
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
  });
  const text = await response.text();
  const parsed = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${operation}: HTTP ${response.status} ${text}`);
  return parsed;
}

export interface SeededOrganization {
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  /** OU name -> id. */
  ous: Record<string, string>;
  /** Account name -> id. */
  accounts: Record<string, string>;
  /** SCP name -> policy id. */
  policies: Record<string, string>;
}

export const FULL_AWS_ACCESS_ID = 'p-FullAWSAccess';

export interface OrganizationSeed {
  /** OUs by name, each under the root or the named parent OU, in order. */
  ous: { name: string; parent?: string }[];
  /** Accounts by name, each moved under the named OU (the root when absent). */
  accounts: { name: string; ou?: string }[];
  /** SCPs by name, each attached to the named OUs and accounts. */
  scps: { name: string; document: unknown; attachTo: string[] }[];
  /** Enable SCPs at the root (default true). */
  enableScps?: boolean;
}

export async function seedOrganization(seed: OrganizationSeed): Promise<SeededOrganization> {
  const created = await organizationsCall('CreateOrganization', { FeatureSet: 'ALL' });
  const organization = created['Organization'] as { Id: string; MasterAccountId: string };
  const roots = (await organizationsCall('ListRoots', {}))['Roots'] as { Id: string }[];
  const rootId = roots[0]?.Id ?? '';
  const enableScps = seed.enableScps ?? true;
  if (enableScps) {
    await organizationsCall('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  }
  const ous: Record<string, string> = {};
  for (const ou of seed.ous) {
    const parentId = (ou.parent === undefined ? rootId : ous[ou.parent]) ?? rootId;
    const answer = await organizationsCall('CreateOrganizationalUnit', { ParentId: parentId, Name: ou.name });
    ous[ou.name] = (answer['OrganizationalUnit'] as { Id: string }).Id;
    const ouId = (answer['OrganizationalUnit'] as { Id: string }).Id;
    if (enableScps) await attach(FULL_AWS_ACCESS_ID, ouId);
  }
  const accounts: Record<string, string> = {};
  for (const account of seed.accounts) {
    const answer = await organizationsCall('CreateAccount', {
      AccountName: account.name,
      Email: `${account.name.replace(/[^a-z0-9]/gi, '')}@example.com`,
    });
    const id = (answer['CreateAccountStatus'] as { AccountId: string }).AccountId;
    accounts[account.name] = id;
    if (account.ou !== undefined) {
      await organizationsCall('MoveAccount', {
        AccountId: id,
        SourceParentId: rootId,
        DestinationParentId: ous[account.ou] ?? rootId,
      });
    }
    if (enableScps) await attach(FULL_AWS_ACCESS_ID, id);
  }
  const policies: Record<string, string> = {};
  for (const scp of seed.scps) {
    const answer = await organizationsCall('CreatePolicy', {
      Name: scp.name,
      Description: scp.name,
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify(scp.document),
    });
    const id = (answer['Policy'] as { PolicySummary: { Id: string } }).PolicySummary.Id;
    policies[scp.name] = id;
    for (const target of scp.attachTo) await attach(id, ous[target] ?? accounts[target] ?? target);
  }
  return {
    organizationId: organization.Id,
    rootId,
    managementAccountId: organization.MasterAccountId,
    ous,
    accounts,
    policies,
  };
}

async function attach(policyId: string, targetId: string): Promise<void> {
  await organizationsCall('AttachPolicy', { PolicyId: policyId, TargetId: targetId });
}
