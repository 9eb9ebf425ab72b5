/**
 * Organization mode's AccountAccess: the hub's functions act in a member account through its member
 * roles (member-credentials.ts). Per member session (account, role, source identity) one IAM client,
 * built on first use and kept for the container's life (at most MAX_SESSIONS, least recently used
 * first out), with the readers built on it: TargetedAccountReader (with the account's SCP levels when
 * an OrganizationReader is given), AwsPolicySimulator and, for writes, IamPolicyWriter.
 *
 * read() uses the read role; write() the apply role with the approver as SourceIdentity, for the
 * whole apply (its re-reads and re-simulation too, as today's apply function does with its own role),
 * so the member's CloudTrail shows who decided on every call of it. Both assume the role before they
 * answer, so a role that cannot be assumed rejects here as MemberAccessError, not later inside a read.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { MemberAccessError } from '../../../core/errors';
import type { AccountAccess, AccountReadAccess, AccountWriteAccess } from '../../../ports/account-access';
import type { AuthorizationMessageDecoder } from '../../../ports/authorization-message-decoder';
import type { AuthorizationRecordReader } from '../../../ports/authorization-record-reader';
import type { OrganizationReader } from '../../../ports/organization-reader';
import { ACCOUNT_ID_PATTERN } from '../../../settings/organization';
import type { ServiceControlPolicyLevels } from '../../escalation-inputs';
import { AwsAuthorizationMessageDecoder } from '../aws-authorization-message-decoder';
import { AwsPolicySimulator } from '../aws-policy-simulator';
import { IamPolicyWriter } from '../iam-policy-writer';
import { IamToolboxRecordReader } from '../iam-toolbox/iam-toolbox-record-reader';
import { TargetedAccountReader } from '../targeted-account-reader';
import {
  MemberCredentials,
  sessionKey,
  type MemberCredentialsOptions,
  type MemberSession,
} from './member-credentials';
import { sourceIdentityFor } from './source-identity';

/**
 * Sessions (and their clients) kept per container. Reads need one per member account; writes one per
 * account and approver. Past this, the least recently used is dropped: its next use assumes again.
 */
export const MAX_SESSIONS = 1_000;

/** The hub's client settings with a member session's credentials (index.ts builds them: traced). */
export interface MemberClientFactories {
  iam(credentials: AwsCredentialIdentityProvider): IAMClient;
  sts(credentials: AwsCredentialIdentityProvider): STSClient;
}

export interface MemberAccountAccessOptions extends MemberCredentialsOptions {
  clients: MemberClientFactories;
  /** The SCPs in force for each account, read from Organizations; without it they are unknown. */
  organization?: OrganizationReader;
  /** IAM Toolbox's endpoint for every account (tests; on AWS, the region's). */
  iamToolboxEndpoint?: URL;
  maxSessions?: number;
}

/**
 * What read() answers in organization mode: the port's faces, plus the member's decoder of
 * authorization messages (STS decodes a message only in the account it was issued in) and its
 * IAM Toolbox records.
 */
export interface MemberReadAccess extends AccountReadAccess {
  decoder: AuthorizationMessageDecoder;
  authorizationRecords: AuthorizationRecordReader;
}

export interface MemberWriteAccess
  extends Omit<AccountWriteAccess, 'authorizationRecords' | 'decoder'>, MemberReadAccess {}

interface SessionClients {
  session: MemberSession;
  credentials: AwsCredentialIdentityProvider;
  iam: IAMClient;
  simulator: AwsPolicySimulator;
  /** The reader for the SCP levels last given; rebuilt when they change. */
  reader: { scps: string; reader: TargetedAccountReader } | null;
  extras: Pick<MemberReadAccess, 'decoder' | 'authorizationRecords'> | null;
  writer: IamPolicyWriter | null;
  sts: STSClient | null;
}

export class MemberAccountAccess implements AccountAccess {
  private readonly credentials: MemberCredentials;
  private readonly sessions = new Map<string, SessionClients>();
  private readonly maxSessions: number;

  constructor(private readonly options: MemberAccountAccessOptions) {
    this.credentials = new MemberCredentials(options);
    this.maxSessions = options.maxSessions ?? MAX_SESSIONS;
  }

  /** AssumeRole calls made so far, for the bench and the tests. */
  get assumeRoleCalls(): number {
    return this.credentials.assumeRoleCalls;
  }

  async read(accountId: string): Promise<MemberReadAccess> {
    const clients = await this.open({ accountId, role: 'read', sourceIdentity: null });
    return this.readAccess(clients, await this.scpsOf(accountId));
  }

  /** @param sourceIdentity the approver (an ARN or a name), mapped by sourceIdentityFor. */
  async write(accountId: string, sourceIdentity: string): Promise<MemberWriteAccess> {
    const clients = await this.open({
      accountId,
      role: 'apply',
      sourceIdentity: sourceIdentityFor(sourceIdentity),
    });
    const read = this.readAccess(clients, await this.scpsOf(accountId));
    clients.writer ??= new IamPolicyWriter(clients.iam);
    return { ...read, writer: clients.writer };
  }

  /** The session's clients, its credentials resolved (AssumeRole unless cached and fresh). */
  private async open(session: MemberSession): Promise<SessionClients> {
    if (!ACCOUNT_ID_PATTERN.test(session.accountId)) {
      throw new MemberAccessError(
        session.accountId,
        'role-unavailable',
        `'${session.accountId.slice(0, 40)}' is not an account id: no member role to assume`,
      );
    }
    const clients = this.clientsOf(session);
    await clients.credentials();
    return clients;
  }

  private clientsOf(session: MemberSession): SessionClients {
    const key = sessionKey(session);
    const existing = this.sessions.get(key);
    if (existing !== undefined) {
      // Most recently used last: the Map's order is the eviction order.
      this.sessions.delete(key);
      this.sessions.set(key, existing);
      return existing;
    }
    const credentials = this.credentials.provider(session);
    const iam = this.options.clients.iam(credentials);
    this.credentials.renewOnExpiredToken(iam, session);
    const clients: SessionClients = {
      session,
      credentials,
      iam,
      simulator: new AwsPolicySimulator(iam),
      reader: null,
      extras: null,
      writer: null,
      sts: null,
    };
    this.sessions.set(key, clients);
    this.evict();
    return clients;
  }

  private evict(): void {
    for (const [key, clients] of this.sessions) {
      if (this.sessions.size <= this.maxSessions) return;
      this.sessions.delete(key);
      this.credentials.forget(clients.session);
      clients.iam.destroy();
      clients.sts?.destroy();
    }
  }

  private async scpsOf(accountId: string): Promise<ServiceControlPolicyLevels> {
    return this.options.organization === undefined
      ? null
      : this.options.organization.serviceControlPolicies(accountId);
  }

  private readAccess(clients: SessionClients, scps: ServiceControlPolicyLevels): MemberReadAccess {
    // Kept while the SCPs are the same: its managed policy documents stay cached per container.
    const scpsKey = JSON.stringify(scps);
    if (clients.reader?.scps !== scpsKey) {
      clients.reader = { scps: scpsKey, reader: new TargetedAccountReader(clients.iam, { scps }) };
    }
    const reader = clients.reader.reader;
    return {
      accountId: clients.session.accountId,
      accountReader: reader,
      escalationReader: reader,
      instanceProfiles: reader,
      rolePaths: reader,
      simulator: clients.simulator,
      ...this.extrasOf(clients),
    };
  }

  private extrasOf(clients: SessionClients): Pick<MemberReadAccess, 'decoder' | 'authorizationRecords'> {
    if (clients.extras !== null) return clients.extras;
    const sts = this.options.clients.sts(clients.credentials);
    this.credentials.renewOnExpiredToken(sts, clients.session);
    clients.sts = sts;
    clients.extras = {
      decoder: new AwsAuthorizationMessageDecoder(sts),
      authorizationRecords: new IamToolboxRecordReader({
        credentials: clients.credentials,
        ...(this.options.iamToolboxEndpoint !== undefined
          ? { endpoint: this.options.iamToolboxEndpoint }
          : {}),
      }),
    };
    return clients.extras;
  }
}
