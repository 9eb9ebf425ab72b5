/**
 * Takes a snapshot of the account for offline diagnosis (`passrole-doctor snapshot`): every page of
 * GetAccountAuthorizationDetails (users, groups, roles, customer managed policies), then the AWS
 * managed policies the account uses (attached or as a permissions boundary), each read with GetPolicy
 * and GetPolicyVersion for its default version. Read-only. The result has the shape of
 * `aws iam get-account-authorization-details` output, which `--snapshot` takes: documents decoded to
 * JSON objects. AWS managed policies are not read through GAAD's `AWSManagedPolicy` filter: that
 * returns every one of them (over a thousand, with all their versions), not only the ones in use.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  paginateGetAccountAuthorizationDetails,
  type EntityType,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AwsCallError } from '../../core/errors';
import { parseArn } from '../../core/iam/arn';
import { decodePolicyDocument } from '../gaad/policy-document';
import type { AttachedPolicyDetail, AuthorizationDetails, ManagedPolicyDetail } from '../gaad/shapes';

const FILTER: EntityType[] = ['User', 'Group', 'Role', 'LocalManagedPolicy'];
/** The largest page IAM gives. */
const PAGE_SIZE = 1000;
/** AWS managed policies read at once: a handful of calls, not a burst that IAM throttles. */
const POLICY_READ_CONCURRENCY = 4;
/** The fields GAAD carries policy documents in (URL-encoded in the API, JSON in the CLI's output). */
const DOCUMENT_FIELDS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

export type SnapshotProgress =
  | { kind: 'page'; page: number; users: number; groups: number; roles: number; policies: number }
  | { kind: 'aws-managed-policies'; count: number };

export interface AccountSnapshot {
  details: Required<AuthorizationDetails>;
  /** How many of `details.Policies` are AWS managed (read one by one), the rest being the account's own. */
  awsManagedPolicies: number;
  /** AWS managed policies in use that could not be read, with why; the snapshot lacks their documents. */
  unavailable: { arn: string; reason: string }[];
}

export async function takeAccountSnapshot(
  iam: IAMClient,
  onProgress: (progress: SnapshotProgress) => void = () => undefined,
): Promise<AccountSnapshot> {
  const details: Required<AuthorizationDetails> = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const pages = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: PAGE_SIZE },
    { Filter: FILTER },
  );
  let page = 0;
  try {
    for await (const output of pages) {
      details.UserDetailList.push(...decodedDocuments(output.UserDetailList ?? []));
      details.GroupDetailList.push(...decodedDocuments(output.GroupDetailList ?? []));
      details.RoleDetailList.push(...decodedDocuments(output.RoleDetailList ?? []));
      details.Policies.push(...decodedDocuments(output.Policies ?? []));
      onProgress({
        kind: 'page',
        page: ++page,
        users: details.UserDetailList.length,
        groups: details.GroupDetailList.length,
        roles: details.RoleDetailList.length,
        policies: details.Policies.length,
      });
    }
  } catch (error) {
    throw snapshotError(error, 'iam:GetAccountAuthorizationDetails');
  }

  const arns = awsManagedPolicyArnsInUse(details);
  onProgress({ kind: 'aws-managed-policies', count: arns.length });
  const unavailable: AccountSnapshot['unavailable'] = [];
  const read = await mapLimited(arns, POLICY_READ_CONCURRENCY, (arn) => awsManagedPolicy(iam, arn));
  read.forEach((result, index) => {
    if ('policy' in result) details.Policies.push(result.policy);
    else unavailable.push({ arn: arns[index] ?? '', reason: result.unavailable });
  });
  return { details, awsManagedPolicies: arns.length - unavailable.length, unavailable };
}

/** The AWS managed policies the users, groups and roles name, sorted (a stable file). */
function awsManagedPolicyArnsInUse(details: Required<AuthorizationDetails>): string[] {
  const entities = [...details.UserDetailList, ...details.GroupDetailList, ...details.RoleDetailList];
  const named = entities.flatMap((entity) => [
    ...(entity.AttachedManagedPolicies ?? []).map((policy: AttachedPolicyDetail) => policy.PolicyArn),
    'PermissionsBoundary' in entity ? entity.PermissionsBoundary?.PermissionsBoundaryArn : undefined,
  ]);
  const awsManaged = named.filter(
    (arn): arn is string => arn !== undefined && parseArn(arn)?.account === 'aws',
  );
  return [...new Set(awsManaged)].sort();
}

type PolicyRead = { policy: ManagedPolicyDetail } | { unavailable: string };

async function awsManagedPolicy(iam: IAMClient, arn: string): Promise<PolicyRead> {
  let policy;
  try {
    policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
  } catch (error) {
    if (isNoSuchEntity(error)) return { unavailable: 'it no longer exists (GetPolicy: NoSuchEntity)' };
    throw snapshotError(error, 'iam:GetPolicy');
  }
  const versionId = policy?.DefaultVersionId;
  if (policy === undefined || versionId === undefined) {
    return { unavailable: 'GetPolicy gave no default version' };
  }
  let version;
  try {
    version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })))
      .PolicyVersion;
  } catch (error) {
    if (isNoSuchEntity(error)) {
      return { unavailable: `its version ${versionId} no longer exists (GetPolicyVersion: NoSuchEntity)` };
    }
    throw snapshotError(error, 'iam:GetPolicyVersion');
  }
  if (version?.Document === undefined) {
    return { unavailable: `GetPolicyVersion gave no document for ${versionId}` };
  }
  // GAAD's ManagedPolicyDetail, as the account's own policies appear in the same list.
  return {
    policy: decodedDocuments([
      {
        PolicyName: policy.PolicyName,
        PolicyId: policy.PolicyId,
        Arn: policy.Arn ?? arn,
        Path: policy.Path,
        DefaultVersionId: versionId,
        AttachmentCount: policy.AttachmentCount,
        PermissionsBoundaryUsageCount: policy.PermissionsBoundaryUsageCount,
        IsAttachable: policy.IsAttachable,
        Description: policy.Description,
        CreateDate: policy.CreateDate,
        UpdateDate: policy.UpdateDate,
        PolicyVersionList: [
          {
            Document: version.Document,
            VersionId: versionId,
            IsDefaultVersion: true,
            CreateDate: version.CreateDate,
          },
        ],
      },
    ])[0] as ManagedPolicyDetail,
  };
}

/**
 * Copies of `items` with every policy document (at any depth: a role's instance profiles carry their
 * roles' trust policies too) decoded from the API's URL-encoded JSON to a JSON object, as the AWS CLI
 * writes them. A document that is not a policy fails here, as it would when the snapshot is loaded.
 */
function decodedDocuments<T>(items: T[]): T[] {
  const decode = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => decode(item, `${path}[${index}]`));
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        DOCUMENT_FIELDS.has(key) && typeof field === 'string'
          ? decodePolicyDocument(field, `${path}.${key}`)
          : decode(field, `${path}.${key}`),
      ]),
    );
  };
  return items.map((item) => decode(item, 'GetAccountAuthorizationDetails') as T);
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function isNoSuchEntity(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

/** One line naming the call and the permission it needs; the SDK has already retried throttling. */
function snapshotError(error: unknown, action: string): AwsCallError {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  const what = typeof name === 'string' ? name : 'Error';
  const detail = typeof message === 'string' && message !== '' ? `: ${message.split('\n')[0]}` : '';
  const denied = what === 'AccessDenied' || what === 'AccessDeniedException';
  return new AwsCallError(
    denied
      ? `Access denied: the snapshot needs ${action} (${what}${detail})`
      : `${action} failed (${what}${detail})`,
    { cause: error },
  );
}
