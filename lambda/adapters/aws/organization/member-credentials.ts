/**
 * The hub's sessions in its member accounts: sts:AssumeRole of the member role
 * (`PassRoleDoctorMember-Read|Apply` in that account) with the external id, a fixed RoleSessionName
 * and, for writes, the approver as SourceIdentity. One session per (account, role, source identity)
 * per container, kept until REFRESH_BEFORE_EXPIRY_MS before it expires; callers asking at once share
 * one AssumeRole.
 *
 * Hand-written rather than @aws-sdk/credential-providers' fromTemporaryCredentials: that provider
 * caches nothing itself (only the client it is given to memoizes it, so the IAM, STS and IAM Toolbox
 * clients of one account would each assume the role), and it builds its own STS client per provider
 * instead of using the container's one (traced, with the functions' HTTP settings). The providers
 * handed out here carry `memoized: true`, which tells the SDK's clients to call them for every
 * request instead of keeping a copy of their own: this cache is the only one.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { MemberAccessError, TransientAwsError } from '../../../core/errors';
import { iamArn } from '../../../core/iam/arn';
import { MEMBER_ROLE_NAMES } from '../../../settings/organization';
import { isTransientAwsFailure } from '../aws-errors';

/**
 * The SDK's own refresh window (its clients renew credentials 5 minutes before they expire), so a
 * session is never used for a call that could outlast it.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** The longest session a chained AssumeRole gets (a Lambda role's session assuming another role). */
export const CHAINED_SESSION_SECONDS = 3_600;

export type MemberRole = keyof Pick<typeof MEMBER_ROLE_NAMES, 'read' | 'apply'>;

/** One member session's identity: whose account, which role, and who decided (writes only). */
export interface MemberSession {
  accountId: string;
  role: MemberRole;
  /** A valid sts:SourceIdentity (source-identity.ts), or null for reads. */
  sourceIdentity: string | null;
}

export interface MemberCredentialsOptions {
  /** The hub's own STS client, built once per container. */
  sts: STSClient;
  /** The partition of the hub and its members (partitionForRegion of the hub's region). */
  partition: string;
  /** sts:ExternalId the member roles' trust requires. */
  externalId: string;
  /** RoleSessionName, as the member's CloudTrail shows it (2 to 64 of `[\w+=,.@-]`). */
  roleSessionName: string;
  durationSeconds?: number;
  /**
   * The role each session kind assumes. @default MEMBER_ROLE_NAMES (Identity Center's roles use the
   * same sessions: IDENTITY_CENTER_ROLE_NAMES, one account)
   */
  roleNames?: Readonly<Record<MemberRole, string>>;
  /** Milliseconds since the epoch; expiry is judged with it (tests pass their own). */
  now?: () => number;
}

/** A credential provider the SDK's clients call for every request (see the module's comment). */
export type SharedCredentialProvider = AwsCredentialIdentityProvider & { memoized: true };

interface CachedSession {
  credentials: AwsCredentialIdentity | null;
  pending: Promise<AwsCredentialIdentity> | null;
  provider: SharedCredentialProvider;
}

const EXPIRED_TOKEN_ERRORS = new Set(['ExpiredToken', 'ExpiredTokenException']);
const ROLE_UNAVAILABLE_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NoSuchEntity',
  'NoSuchEntityException',
]);

export function sessionKey(session: MemberSession): string {
  return `${session.accountId}|${session.role}|${session.sourceIdentity ?? ''}`;
}

/** Whether an AWS error says the request's session token has expired. */
export function isExpiredToken(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && EXPIRED_TOKEN_ERRORS.has(name);
}

export class MemberCredentials {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly now: () => number;
  private assumed = 0;

  constructor(private readonly options: MemberCredentialsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** AssumeRole calls made so far (the bench's and the tests' count). */
  get assumeRoleCalls(): number {
    return this.assumed;
  }

  /** The session's provider: the same function for the same session, for the container's life. */
  provider(session: MemberSession): SharedCredentialProvider {
    return this.cached(session).provider;
  }

  /**
   * Forget the session's credentials when they are still `stale` (a call was refused with them as
   * expired): the next call assumes the role again. Credentials renewed meanwhile are kept.
   */
  invalidate(session: MemberSession, stale: AwsCredentialIdentity | null = null): void {
    const cached = this.sessions.get(sessionKey(session));
    if (cached === undefined) return;
    if (stale === null || cached.credentials?.accessKeyId === stale.accessKeyId) cached.credentials = null;
  }

  /** The session's credentials as cached now, without assuming the role (null when none). */
  peek(session: MemberSession): AwsCredentialIdentity | null {
    return this.sessions.get(sessionKey(session))?.credentials ?? null;
  }

  /**
   * Makes `client` renew the session once when AWS refuses a call's token as expired (revoked early,
   * or a clock that ran behind), and send the call again: an expired session is renewed, not failed.
   */
  renewOnExpiredToken(client: Pick<STSClient, 'middlewareStack'>, session: MemberSession): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const used = this.peek(session);
        try {
          return await next(args);
        } catch (error) {
          if (!isExpiredToken(error)) throw error;
          this.invalidate(session, used);
          return next(args);
        }
      },
      { step: 'initialize', name: 'passRoleDoctorRenewExpiredMemberSession' },
    );
  }

  /** Drops the session (the caller no longer holds clients that use it). */
  forget(session: MemberSession): void {
    this.sessions.delete(sessionKey(session));
  }

  private cached(session: MemberSession): CachedSession {
    const key = sessionKey(session);
    const existing = this.sessions.get(key);
    if (existing !== undefined) return existing;
    const provider = Object.assign(() => this.current(entry, session), { memoized: true as const });
    const entry: CachedSession = { credentials: null, pending: null, provider };
    this.sessions.set(key, entry);
    return entry;
  }

  private current(entry: CachedSession, session: MemberSession): Promise<AwsCredentialIdentity> {
    const credentials = entry.credentials;
    if (credentials !== null && !this.expiresSoon(credentials)) return Promise.resolve(credentials);
    entry.pending ??= this.assume(session).then(
      (fresh) => {
        entry.credentials = fresh;
        entry.pending = null;
        return fresh;
      },
      (error: unknown) => {
        entry.pending = null;
        throw error;
      },
    );
    return entry.pending;
  }

  private expiresSoon(credentials: AwsCredentialIdentity): boolean {
    const expiration = credentials.expiration?.getTime();
    return expiration === undefined || expiration - this.now() <= REFRESH_BEFORE_EXPIRY_MS;
  }

  private async assume(session: MemberSession): Promise<AwsCredentialIdentity> {
    const roleName = (this.options.roleNames ?? MEMBER_ROLE_NAMES)[session.role];
    const roleArn = iamArn(this.options.partition, session.accountId, `role/${roleName}`);
    this.assumed += 1;
    let output;
    try {
      output = await this.options.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.options.roleSessionName,
          ExternalId: this.options.externalId,
          DurationSeconds: this.options.durationSeconds ?? CHAINED_SESSION_SECONDS,
          ...(session.sourceIdentity !== null ? { SourceIdentity: session.sourceIdentity } : {}),
        }),
      );
    } catch (error) {
      throw assumeRoleError(error, session.accountId, roleName);
    }
    const issued = output.Credentials;
    if (issued?.AccessKeyId === undefined || issued.SecretAccessKey === undefined) {
      throw new MemberAccessError(
        session.accountId,
        'role-unavailable',
        `sts:AssumeRole of ${roleArn} answered without credentials`,
      );
    }
    return {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      sessionToken: issued.SessionToken,
      expiration: issued.Expiration,
    };
  }
}

/**
 * AssumeRole's failures: throttling, 5xx and the hub's own expired token are worth retrying; STS says
 * AccessDenied alike for a missing role, a trust that does not admit the caller and a wrong external
 * id (role-unavailable); anything else refuses the account for good.
 */
function assumeRoleError(error: unknown, accountId: string, roleName: string): Error {
  const shape =
    typeof error === 'object' && error !== null ? (error as { name?: unknown; message?: unknown }) : {};
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? `: ${shape.message}` : '';
  const what = `sts:AssumeRole of ${roleName} in ${accountId}`;
  if (isTransientAwsFailure(error) || EXPIRED_TOKEN_ERRORS.has(name)) {
    return new TransientAwsError(`${what} failed, worth retrying later (${name}${detail})`, { cause: error });
  }
  if (ROLE_UNAVAILABLE_ERRORS.has(name)) {
    return new MemberAccessError(
      accountId,
      'role-unavailable',
      `${what} was refused (${name}${detail}): the role is missing, its trust does not admit this function, or the external id differs`,
      { cause: error },
    );
  }
  return new MemberAccessError(accountId, 'access-denied', `${what} failed (${name}${detail})`, {
    cause: error,
  });
}
