/**
 * The hub functions' organization adapters as their entries build them, pointed at the test's moto:
 * MemberAccountAccess (member sessions through the accounts proxy, assumed by the function's own role)
 * and OrganizationsReader. moto keeps the organization in the management account's state (a
 * delegated administrator's reads find no accounts there), so the reader's calls carry the management
 * account's moto header.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { MemberAccountAccess } from '../../../../lambda/adapters/aws/organization/member-account-access';
import { OrganizationsReader } from '../../../../lambda/adapters/aws/organizations-reader';
import { OrganizationsApi } from '../../../../lambda/adapters/aws/organizations/organizations-api';
import { sameRealmErrors } from '../../support/remediation-loop';
import { identityOf, MOTO_ACCOUNT_HEADER } from './moto-accounts';

export interface HubAccessOptions {
  /** Where member and hub clients send (the accounts proxy). */
  endpoint: string;
  region: string;
  externalId: string;
  /** The hub function's own session (Lambda's execution role). */
  ownCredentials: Credentials;
  roleSessionName: string;
  organization: OrganizationsReader;
}

export interface HubAccess {
  access: MemberAccountAccess;
  destroy(): void;
}

export function hubMemberAccess(options: HubAccessOptions): HubAccess {
  const built: { destroy(): void }[] = [];
  const config = (credentials: AwsCredentialIdentityProvider) => ({
    endpoint: options.endpoint,
    region: options.region,
    credentials,
    maxAttempts: 1,
  });
  const own = identityOf(options.ownCredentials);
  const sts = new STSClient(config(async () => own));
  sameRealmErrors(sts.middlewareStack);
  built.push(sts);
  const access = new MemberAccountAccess({
    sts,
    partition: 'aws',
    externalId: options.externalId,
    roleSessionName: options.roleSessionName,
    clients: {
      iam: (credentials) => {
        const iam = new IAMClient(config(credentials));
        sameRealmErrors(iam.middlewareStack);
        built.push(iam);
        return iam;
      },
      sts: (credentials) => {
        const client = new STSClient(config(credentials));
        sameRealmErrors(client.middlewareStack);
        built.push(client);
        return client;
      },
    },
    organization: options.organization,
  });
  return {
    access,
    destroy: () => {
      for (const client of built) client.destroy();
    },
  };
}

/** OrganizationsReader reading moto's organization as its management account. */
export function managementOrganizationsReader(
  motoEndpoint: string,
  managementAccountId: string,
): OrganizationsReader {
  return new OrganizationsReader(
    new OrganizationsApi({
      endpoint: { url: new URL(motoEndpoint), signingRegion: 'us-east-1' },
      credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
      maxAttempts: 1,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set(MOTO_ACCOUNT_HEADER, managementAccountId);
        return fetch(input, { ...init, headers });
      },
    }),
  );
}
