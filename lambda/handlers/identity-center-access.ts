/**
 * The hub functions' way into Identity Center (organization mode with IDENTITY_CENTER_REGION), built
 * once per container by the diagnose, approval and apply index.ts: sso-admin and identitystore
 * clients in the instance's region, with the credentials of the read role (every function) or the
 * apply role (the apply, with the approver as SourceIdentity) in the administering account
 * (IDENTITY_CENTER_ROLE_NAMES), assumed as the member roles are (member-credentials.ts: one cached
 * session per role and approver, the external id, the function's fixed RoleSessionName). Where the
 * administration runs (management or delegated) is DescribeOrganization's management account
 * compared with IDENTITY_CENTER_ACCOUNT_ID.
 *
 * The reader and writer classes come in as `adapters` (the SDK adapters of
 * adapters/aws/identity-center/), so this module only decides whose credentials they get.
 */
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { MemberCredentials } from '../adapters/aws/organization/member-credentials';
import { sourceIdentityFor } from '../adapters/aws/organization/source-identity';
import type { IdentityCenterApply } from '../core/apply/permission-set/identity-center-apply';
import { PassRoleDoctorError } from '../core/errors';
import type { IdentityCenterAdministration } from '../core/identity-center/model';
import { partitionForRegion } from '../core/iam/arn';
import type { IdentityCenterReader, IdentityCenterWriter } from '../ports/identity-center';
import { IDENTITY_CENTER_ROLE_NAMES } from '../settings/identity-center';
import type { IdentityCenterAccessSettings } from '../settings/identity-center-access';
import { HUB_ROLE_NAMES } from '../settings/organization';
import { REQUEST_HANDLER } from './client-settings';

/** One session's clients, in the instance's region. */
export interface IdentityCenterClients {
  ssoAdmin: SSOAdminClient;
  identitystore: IdentitystoreClient;
  /** IDENTITY_CENTER_INSTANCE_ARN, when set; else the adapter lists the instance. */
  instanceArn: string | null;
}

/** How the SDK adapters are made from a session's clients. */
export interface IdentityCenterAdapters {
  reader(clients: IdentityCenterClients): IdentityCenterReader;
  writer(clients: IdentityCenterClients): IdentityCenterWriter;
}

/** What a hub function holds of Identity Center. */
export interface HubIdentityCenterAccess {
  /** The account holding the roles (IDENTITY_CENTER_ACCOUNT_ID). */
  accountId: string;
  /** Through the read role. */
  reader: IdentityCenterReader;
  /**
   * The apply only (null elsewhere): a writer through the apply role whose session carries
   * `approver` (an ARN or a name, mapped by sourceIdentityFor) as SourceIdentity, so the
   * administering account's CloudTrail names who decided. One per approver per container.
   */
  writer: ((approver: string) => IdentityCenterWriter) | null;
  /** Management or delegated administration (DescribeOrganization, once per container). */
  administration(): Promise<IdentityCenterAdministration>;
}

export interface HubIdentityCenterAccessOptions {
  /** The function's own STS client (built once, traced): it assumes the roles. */
  sts: STSClient;
  hubFunction: 'diagnose' | 'approval' | 'apply';
  /** ORGANIZATION_ENV's externalId: Identity Center's roles require it as the member roles do. */
  externalId: string;
  /** The hub's region (AWS_REGION): the partition of the role ARNs. */
  hubRegion: string;
  settings: IdentityCenterAccessSettings;
  /** The organization's management account (OrganizationsReader.managementAccountId). */
  managementAccountId: () => Promise<string>;
  adapters: IdentityCenterAdapters;
  /** Wraps each client as the function wraps its own (tracer.captureAWSv3Client). */
  capture?: <Client>(client: Client) => Client;
}

/** Writers kept per container (one per approver); past this the oldest is dropped. */
export const MAX_WRITER_SESSIONS = 100;

export function hubIdentityCenterAccess(options: HubIdentityCenterAccessOptions): HubIdentityCenterAccess {
  const { settings } = options;
  const capture = options.capture ?? (<Client>(client: Client) => client);
  const credentials = new MemberCredentials({
    sts: options.sts,
    partition: partitionForRegion(options.hubRegion),
    externalId: options.externalId,
    roleSessionName: HUB_ROLE_NAMES[options.hubFunction],
    roleNames: IDENTITY_CENTER_ROLE_NAMES,
  });
  const clientsWith = (provider: AwsCredentialIdentityProvider): IdentityCenterClients => ({
    ssoAdmin: capture(
      new SSOAdminClient({ region: settings.region, credentials: provider, requestHandler: REQUEST_HANDLER }),
    ),
    identitystore: capture(
      new IdentitystoreClient({
        region: settings.region,
        credentials: provider,
        requestHandler: REQUEST_HANDLER,
      }),
    ),
    instanceArn: settings.instanceArn,
  });
  const reader = options.adapters.reader(
    clientsWith(credentials.provider({ accountId: settings.accountId, role: 'read', sourceIdentity: null })),
  );

  const writers = new Map<string, { writer: IdentityCenterWriter; clients: IdentityCenterClients }>();
  const applySession = (sourceIdentity: string) => ({
    accountId: settings.accountId,
    role: 'apply' as const,
    sourceIdentity,
  });
  const writer = (approver: string): IdentityCenterWriter => {
    const sourceIdentity = sourceIdentityFor(approver);
    const existing = writers.get(sourceIdentity);
    if (existing !== undefined) return existing.writer;
    const clients = clientsWith(credentials.provider(applySession(sourceIdentity)));
    const made = options.adapters.writer(clients);
    writers.set(sourceIdentity, { writer: made, clients });
    // Map order is insertion order: the first entry is the oldest writer.
    const [oldest] = writers;
    if (writers.size > MAX_WRITER_SESSIONS && oldest !== undefined) {
      writers.delete(oldest[0]);
      credentials.forget(applySession(oldest[0]));
      oldest[1].clients.ssoAdmin.destroy();
      oldest[1].clients.identitystore.destroy();
    }
    return made;
  };

  let administration: Promise<IdentityCenterAdministration> | null = null;
  return {
    accountId: settings.accountId,
    reader,
    writer: options.hubFunction === 'apply' ? writer : null,
    administration: () => {
      administration ??= administrationOf(settings.accountId, options.managementAccountId).catch(
        (error: unknown) => {
          // A failed read is not remembered: the next call asks Organizations again.
          administration = null;
          throw error;
        },
      );
      return administration;
    },
  };
}

/**
 * What the apply step takes (IdentityCenterApply) from the apply function's access: the same reader,
 * writer factory and administration. Only the apply's access has a writer.
 */
export function identityCenterApplyOf(access: HubIdentityCenterAccess): IdentityCenterApply {
  const writer = access.writer;
  if (writer === null) {
    throw new PassRoleDoctorError('Identity Center access without a writer: only the apply function has one');
  }
  return { reader: access.reader, writer, administration: () => access.administration() };
}

/** Management when the roles' account is the management account, else a delegated administrator. */
export async function administrationOf(
  accountId: string,
  managementAccountId: () => Promise<string>,
): Promise<IdentityCenterAdministration> {
  const management = await managementAccountId();
  return management === accountId
    ? { kind: 'management', accountId }
    : { kind: 'delegated', accountId, managementAccountId: management };
}
