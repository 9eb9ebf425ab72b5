/**
 * The one ARN vocabulary of the product: parsing, account, partition, names and paths, each with one
 * meaning. Other modules import these rather than slicing ARNs themselves.
 */

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon, e.g. 'role/service-role/x' or 'assumed-role/x/session'. */
  resource: string;
}

const ARN_PATTERN = /^arn:([a-z0-9-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;

export function parseArn(value: string): ParsedArn | null {
  const match = ARN_PATTERN.exec(value);
  if (match === null) return null;
  const [, partition = '', service = '', region = '', account = '', resource = ''] = match;
  return { partition, service, region, account, resource };
}

/** The IAM role ARN pattern (path allowed), as IAM names its roles. */
const ROLE_ARN_PATTERN = /^arn:[a-z0-9-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export function isRoleArn(value: string): boolean {
  return ROLE_ARN_PATTERN.test(value);
}

/** An instance profile's ARN (path allowed) or bare name, as IAM names them. */
const INSTANCE_PROFILE_ARN =
  /^arn:[a-z0-9-]+:iam::(\d{12}):instance-profile\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,128})$/;
const INSTANCE_PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;

/**
 * An instance profile as a request may write it (its ARN or its name), read into its name and, for an
 * ARN, its account; null for anything IAM would not accept as either.
 */
export function parseInstanceProfile(value: string): { name: string; account: string | null } | null {
  const arn = INSTANCE_PROFILE_ARN.exec(value);
  if (arn !== null) return { account: arn[1] ?? null, name: arn[2] ?? '' };
  return INSTANCE_PROFILE_NAME.test(value) ? { account: null, name: value } : null;
}

/** The partition a region belongs to, for ARNs the record does not spell out. */
export function partitionForRegion(region: string | null): string {
  if (region === null) return 'aws';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  return 'aws';
}

/** An IAM ARN of `resource` ('role/x', 'policy/*') in `partition` and `account` (IAM has no region). */
export function iamArn(partition: string, account: string, resource: string): string {
  return `arn:${partition}:iam::${account}:${resource}`;
}

/** A role given by ARN, 'role/<path/>name', or bare name (optionally with a path) as a full ARN. */
export function roleArnFrom(nameOrArn: string, partition: string, account: string): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  const withoutPrefix = nameOrArn.startsWith('role/') ? nameOrArn.slice('role/'.length) : nameOrArn;
  const trimmed = withoutPrefix.replace(/^\/+/, '');
  return iamArn(partition, account, `role/${trimmed}`);
}

/** The last segment of a role ARN or role path: the role's name. */
export function roleNameOf(roleArnOrName: string): string {
  const slash = roleArnOrName.lastIndexOf('/');
  return slash === -1 ? roleArnOrName : roleArnOrName.slice(slash + 1);
}

/** The account of an ARN, or null when it is not an ARN with an account. */
export function accountOf(arn: string): string | null {
  const parsed = parseArn(arn);
  return parsed !== null && /^\d{12}$/.test(parsed.account) ? parsed.account : null;
}

/**
 * The entity's name: the last segment of the ARN's resource ('arn:aws:iam::1:role/service-role/x' ->
 * 'x'; an assumed-role ARN -> its session name). Anything that is not an ARN is returned whole.
 */
export function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

/**
 * A role's path and name as IAM resource patterns match them ('service-role/etl-runtime'): what
 * follows ':role/'. A value without ':role/' is returned whole.
 */
export function rolePathAndName(roleArn: string): string {
  const at = roleArn.indexOf(':role/');
  return at === -1 ? roleArn : roleArn.slice(at + ':role/'.length) || roleArn;
}

export type IamArnKind = 'user' | 'role' | 'group' | 'assumed-role' | 'other';

/** An IAM entity ARN (or an STS session's) read into what it names. */
export interface IamArn {
  partition: string;
  accountId: string;
  kind: IamArnKind;
  /** IAM path, '/' when none (always '/' for a session: its ARN does not carry the role's path). */
  path: string;
  /** The entity's name; for an assumed-role session, the role's name. */
  name: string;
}

const IAM_ARN = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/;

/**
 * 'arn:aws:iam::1:role/team/x' -> role 'x' at path '/team/'; an `sts` assumed-role ARN -> its role.
 * Null for anything that is not an IAM or STS ARN with a twelve-digit account.
 */
export function parseIamArn(arn: string): IamArn | null {
  const match = IAM_ARN.exec(arn);
  if (match === null) return null;
  const [, partition = '', service, accountId = '', resource = ''] = match;
  const [type = '', ...rest] = resource.split('/');
  if (service === 'sts') {
    // arn:aws:sts::123456789012:assumed-role/RoleName/session: the role's path is not in it.
    const kind = type === 'assumed-role' ? 'assumed-role' : 'other';
    return { partition, accountId, kind, path: '/', name: rest[0] ?? '' };
  }
  const kind: IamArnKind = type === 'user' || type === 'role' || type === 'group' ? type : 'other';
  const name = rest.at(-1) ?? '';
  const path = rest.length > 1 ? `/${rest.slice(0, -1).join('/')}/` : '/';
  return { partition, accountId, kind, path, name };
}
