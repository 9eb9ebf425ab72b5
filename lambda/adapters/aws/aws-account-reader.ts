/**
 * Reads the account live: one GetAccountAuthorizationDetails (users, groups, roles and customer
 * managed policies, with documents), then the default version of each AWS managed policy in scope.
 * The IAM client is the caller's (built once); throttling is retried by the SDK's standard retry.
 * It is also the EscalationReader: a diagnosis reads the scope and then the escalation inputs, and the
 * latter reuses the former's account read (see readEscalationInputs), so one incident costs one read.
 * And it resolves an approver's role path (RolePathResolver) from a fresh read of the account.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  paginateGetAccountAuthorizationDetails,
  type EntityType,
  type IAMClient,
  type Policy,
} from '@aws-sdk/client-iam';
import { AwsCallError, InvalidInputError, TransientAwsError } from '../../core/errors';
import type { EscalationInputs } from '../../core/escalation/model';
import { nameOf } from '../../core/iam/arn';
import type { AccountScope, ManagedPolicy, ProposalTarget } from '../../core/model';
import type { AccountReader } from '../../ports/account-reader';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { RolePathResolver } from '../../ports/role-path-resolver';
import {
  managedPolicyArnsWithoutDocument,
  rolePathIn,
  scopeFromAuthorizationDetails,
} from '../authorization-details';
import { decodePolicyDocument } from '../gaad/policy-document';
import type { AuthorizationDetails } from '../gaad/shapes';
import {
  escalationInputsFromAuthorizationDetails,
  escalationPolicyArnsWithoutDocument,
  type ServiceControlPolicyLevels,
} from '../escalation-inputs';

/** AWS managed policies are left out on purpose: there are over a thousand, fetched one by one when in scope. */
const AUTHORIZATION_DETAILS_FILTER: EntityType[] = ['User', 'Group', 'Role', 'LocalManagedPolicy'];
const PAGE_SIZE = 1000;

type ManagedPolicyFetch = { found: ManagedPolicy } | { unavailable: string };

/** How long the account read of a loadScope may serve the escalation inputs that follow it. */
export const ACCOUNT_READ_REUSE_MS = 60_000;

export interface AwsAccountReaderOptions {
  /** Milliseconds since the epoch; the reuse window is measured with it. */
  now?: () => number;
  /** The SCPs in force, one list per level (the CLI's --scp files); unknown (null) by default. */
  scps?: ServiceControlPolicyLevels;
}

export class AwsAccountReader implements AccountReader, EscalationReader, RolePathResolver {
  /** Managed policy documents by ARN, fetched once per reader (AWS managed ones do not change within a run). */
  private readonly managedPolicies = new Map<string, Promise<ManagedPolicyFetch>>();
  /** The last loadScope's account read, until one readEscalationInputs takes it. */
  private lastRead: { details: Promise<AuthorizationDetails>; startedAt: number } | null = null;
  private readonly now: () => number;
  private readonly scps: ServiceControlPolicyLevels;

  constructor(
    private readonly iam: IAMClient,
    options: AwsAccountReaderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.scps = options.scps ?? null;
  }

  async loadScope(policySourceArn: string, roleArn: string): Promise<AccountScope> {
    const reading = this.authorizationDetails();
    this.lastRead = { details: reading, startedAt: this.now() };
    // A failed read is not kept for the escalation inputs: they read again.
    reading.catch(() => {
      if (this.lastRead?.details === reading) this.lastRead = null;
    });
    const details = await reading;
    const arns = managedPolicyArnsWithoutDocument(details, policySourceArn, roleArn);
    const { documents, unavailable } = await this.managedPolicyDocuments(arns);
    return scopeFromAuthorizationDetails(details, policySourceArn, roleArn, documents, {
      source: 'GetAccountAuthorizationDetails',
      unavailablePolicies: unavailable,
    });
  }

  /**
   * The escalation inputs, over the account read of the loadScope just before (the diagnosis of one
   * incident reads the account once) when it started less than ACCOUNT_READ_REUSE_MS ago; taken once,
   * so any other caller (the approval step re-checking at decision time) reads the account afresh.
   * SCPs are not read here (no Organizations access): `scps` is what the options gave, else null.
   */
  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    const last = this.lastRead;
    this.lastRead = null;
    const reuse = last !== null && this.now() - last.startedAt < ACCOUNT_READ_REUSE_MS;
    const details = reuse ? await last.details : await this.authorizationDetails();
    const arns = escalationPolicyArnsWithoutDocument(details, roleArn, target);
    const { documents, unavailable } = await this.managedPolicyDocuments(arns);
    return escalationInputsFromAuthorizationDetails(details, roleArn, target, documents, {
      source: 'GetAccountAuthorizationDetails',
      unavailablePolicies: unavailable,
      scps: this.scps,
    });
  }

  /** Read afresh: only asked when an `approvers` pattern names a role with its path. */
  async rolePath(accountId: string, roleName: string): Promise<string | null> {
    return rolePathIn(await this.authorizationDetails(), accountId, roleName);
  }

  private async managedPolicyDocuments(arns: readonly string[]): Promise<{
    documents: Map<string, ManagedPolicy>;
    unavailable: Map<string, string>;
  }> {
    const fetched = await Promise.all(arns.map((arn) => this.managedPolicy(arn)));
    const documents = new Map<string, ManagedPolicy>();
    const unavailable = new Map<string, string>();
    arns.forEach((arn, index) => {
      const result = fetched[index];
      if (result === undefined) return;
      if ('found' in result) documents.set(arn, result.found);
      else unavailable.set(arn, result.unavailable);
    });
    return { documents, unavailable };
  }

  /** All pages merged. Not memoized beyond one diagnosis: an applied fix must show in the next read. */
  private async authorizationDetails(): Promise<AuthorizationDetails> {
    const merged: Required<AuthorizationDetails> = {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    };
    const pages = paginateGetAccountAuthorizationDetails(
      { client: this.iam, pageSize: PAGE_SIZE },
      { Filter: AUTHORIZATION_DETAILS_FILTER },
    );
    try {
      for await (const page of pages) {
        merged.UserDetailList.push(...(page.UserDetailList ?? []));
        merged.GroupDetailList.push(...(page.GroupDetailList ?? []));
        merged.RoleDetailList.push(...(page.RoleDetailList ?? []));
        merged.Policies.push(...(page.Policies ?? []));
      }
    } catch (error) {
      throw awsError(error, 'iam:GetAccountAuthorizationDetails');
    }
    return merged;
  }

  private managedPolicy(arn: string): Promise<ManagedPolicyFetch> {
    const cached = this.managedPolicies.get(arn);
    if (cached !== undefined) return cached;
    const fetching = this.fetchManagedPolicy(arn);
    this.managedPolicies.set(arn, fetching);
    // A failed fetch is not remembered, so a later loadScope can try again.
    fetching.catch(() => this.managedPolicies.delete(arn));
    return fetching;
  }

  private async fetchManagedPolicy(arn: string): Promise<ManagedPolicyFetch> {
    let policy: Policy | undefined;
    try {
      policy = (await this.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    } catch (error) {
      if (isNoSuchEntity(error)) return { unavailable: 'it no longer exists (GetPolicy: NoSuchEntity)' };
      throw awsError(error, 'iam:GetPolicy');
    }
    const versionId = policy?.DefaultVersionId;
    if (versionId === undefined) return { unavailable: 'GetPolicy gave no default version' };

    let document: unknown;
    try {
      const output = await this.iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }),
      );
      document = output.PolicyVersion?.Document;
    } catch (error) {
      if (isNoSuchEntity(error)) {
        return { unavailable: `its version ${versionId} no longer exists (GetPolicyVersion: NoSuchEntity)` };
      }
      throw awsError(error, 'iam:GetPolicyVersion');
    }
    if (document === undefined) return { unavailable: `GetPolicyVersion gave no document for ${versionId}` };
    try {
      const name = policy?.PolicyName ?? nameOf(arn);
      return {
        found: {
          arn,
          name,
          document: decodePolicyDocument(document, `GetPolicyVersion ${arn} ${versionId}`),
        },
      };
    } catch (error) {
      if (error instanceof InvalidInputError)
        return { unavailable: `its document could not be read (${error.message})` };
      throw error;
    }
  }
}

// ---------------------------------------------------------------- error mapping

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const ACCESS_DENIED_ERRORS = new Set(['AccessDenied', 'AccessDeniedException']);

function errorShape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

function isNoSuchEntity(error: unknown): boolean {
  const name = errorShape(error).name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

/** Throttling, 5xx and network failures are worth retrying later; anything else fails for good. */
export function isTransientAwsFailure(error: unknown): boolean {
  const shape = errorShape(error);
  const status = shape.$metadata?.httpStatusCode;
  return (
    (typeof shape.name === 'string' &&
      (THROTTLING_ERRORS.has(shape.name) || TIMEOUT_ERRORS.has(shape.name))) ||
    (typeof shape.code === 'string' && NETWORK_ERRORS.has(shape.code)) ||
    shape.$retryable?.throttling === true ||
    shape.$fault === 'server' ||
    status === 429 ||
    (typeof status === 'number' && status >= 500)
  );
}

/** The product's error for a failed IAM call; `action` is the IAM permission the call needs. */
function awsError(error: unknown, action: string): Error {
  const shape = errorShape(error);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? `: ${shape.message}` : '';
  if (isTransientAwsFailure(error)) {
    return new TransientAwsError(`${action} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  if (ACCESS_DENIED_ERRORS.has(name)) {
    return new AwsCallError(`Access denied: the reader needs ${action} (${name}${detail})`, { cause: error });
  }
  return new AwsCallError(`${action} failed (${name}${detail})`, { cause: error });
}

// ---------------------------------------------------------------- counting calls (benchmark)

export interface AwsCallRecord {
  /** e.g. 'GetAccountAuthorizationDetailsCommand'. */
  command: string;
  /** Logical ticks from one counter (not a clock): a call that starts after another finished follows it. */
  startTick: number;
  finishTick: number;
}

export interface AwsCallSummary {
  calls: number;
  byCommand: Record<string, number>;
  /** The longest chain of calls each started after the previous one finished. */
  sequentialRoundTrips: number;
}

/** Counts every call made through `client` (and its order) until the client is discarded. */
export function recordAwsCalls(client: Pick<IAMClient, 'middlewareStack'>): AwsCallRecord[] {
  const records: AwsCallRecord[] = [];
  let tick = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const record: AwsCallRecord = {
        command: context.commandName ?? 'unknown',
        startTick: ++tick,
        finishTick: 0,
      };
      records.push(record);
      try {
        return await next(args);
      } finally {
        record.finishTick = ++tick;
      }
    },
    { step: 'initialize', name: 'passRoleDoctorCallRecorder' },
  );
  return records;
}

export function summarizeAwsCalls(records: readonly AwsCallRecord[]): AwsCallSummary {
  const byCommand: Record<string, number> = {};
  for (const record of records) byCommand[record.command] = (byCommand[record.command] ?? 0) + 1;
  const ordered = [...records].sort((a, b) => a.startTick - b.startTick);
  const chainLength: number[] = [];
  ordered.forEach((record, index) => {
    const before = ordered
      .slice(0, index)
      .flatMap((earlier, earlierIndex) =>
        earlier.finishTick < record.startTick ? [chainLength[earlierIndex] ?? 0] : [],
      );
    chainLength.push(1 + Math.max(0, ...before));
  });
  return { calls: records.length, byCommand, sequentialRoundTrips: Math.max(0, ...chainLength) };
}
