/**
 * The Organizations answers the hub reads, checked for the fields it uses (the API reference's
 * shapes). An answer without them is a service that does not follow its model: AwsCallError.
 */
import { AwsCallError } from '../../../core/errors';

export interface ParentRef {
  id: string;
  type: 'ROOT' | 'ORGANIZATIONAL_UNIT';
}

export interface RootInfo {
  id: string;
  name: string;
  /** Whether SCPs are enabled at the root: without them no SCP is in force anywhere. */
  scpsEnabled: boolean;
}

export interface PolicyRef {
  id: string;
  name: string;
}

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AwsCallError(`Organizations answered ${what} without the expected object`);
  }
  return value as Record<string, unknown>;
}

function text(value: Record<string, unknown>, key: string, what: string): string {
  const field = value[key];
  if (typeof field !== 'string' || field === '') {
    throw new AwsCallError(`Organizations answered ${what} without ${key}`);
  }
  return field;
}

function list(value: Record<string, unknown>, key: string, what: string): unknown[] {
  const field = value[key];
  if (field === undefined || field === null) return [];
  if (!Array.isArray(field)) throw new AwsCallError(`Organizations answered ${what} with ${key} not a list`);
  return field;
}

function nextTokenOf(value: Record<string, unknown>): string | null {
  const token = value['NextToken'];
  return typeof token === 'string' && token !== '' ? token : null;
}

export function decodeAccountName(body: unknown): { id: string; name: string } {
  const account = record(record(body, 'DescribeAccount')['Account'], 'DescribeAccount');
  return { id: text(account, 'Id', 'DescribeAccount'), name: text(account, 'Name', 'DescribeAccount') };
}

export function decodeParents(body: unknown): Page<ParentRef> {
  const answer = record(body, 'ListParents');
  const items = list(answer, 'Parents', 'ListParents').map((entry): ParentRef => {
    const parent = record(entry, 'ListParents');
    const type = parent['Type'];
    if (type !== 'ROOT' && type !== 'ORGANIZATIONAL_UNIT') {
      throw new AwsCallError(`Organizations answered ListParents with a parent of type ${String(type)}`);
    }
    return { id: text(parent, 'Id', 'ListParents'), type };
  });
  return { items, nextToken: nextTokenOf(answer) };
}

export function decodeOrganizationalUnit(body: unknown): { id: string; name: string } {
  const unit = record(record(body, 'DescribeOrganizationalUnit')['OrganizationalUnit'], 'an OU');
  return { id: text(unit, 'Id', 'DescribeOrganizationalUnit'), name: text(unit, 'Name', 'an OU') };
}

export function decodeRoots(body: unknown): Page<RootInfo> {
  const answer = record(body, 'ListRoots');
  const items = list(answer, 'Roots', 'ListRoots').map((entry) => {
    const root = record(entry, 'ListRoots');
    const scpsEnabled = list(root, 'PolicyTypes', 'ListRoots').some((type) => {
      const policyType = record(type, 'ListRoots');
      return policyType['Type'] === 'SERVICE_CONTROL_POLICY' && policyType['Status'] === 'ENABLED';
    });
    return { id: text(root, 'Id', 'ListRoots'), name: text(root, 'Name', 'ListRoots'), scpsEnabled };
  });
  return { items, nextToken: nextTokenOf(answer) };
}

export function decodeManagementAccount(body: unknown): string {
  const organization = record(record(body, 'DescribeOrganization')['Organization'], 'DescribeOrganization');
  return text(organization, 'MasterAccountId', 'DescribeOrganization');
}

export function decodePolicies(body: unknown): Page<PolicyRef> {
  const answer = record(body, 'ListPoliciesForTarget');
  const items = list(answer, 'Policies', 'ListPoliciesForTarget').map((entry) => {
    const summary = record(entry, 'ListPoliciesForTarget');
    return {
      id: text(summary, 'Id', 'ListPoliciesForTarget'),
      name: text(summary, 'Name', 'ListPoliciesForTarget'),
    };
  });
  return { items, nextToken: nextTokenOf(answer) };
}

/** DescribePolicy's name and Content (the document as a JSON string). */
export function decodePolicy(body: unknown): { name: string; content: string } {
  const policy = record(record(body, 'DescribePolicy')['Policy'], 'DescribePolicy');
  const summary = record(policy['PolicySummary'], 'DescribePolicy');
  return {
    name: text(summary, 'Name', 'DescribePolicy'),
    content: text(policy, 'Content', 'DescribePolicy'),
  };
}
