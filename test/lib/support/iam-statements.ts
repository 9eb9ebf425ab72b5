/**
 * Reads a role's permissions out of a synthesized template: its inline policies and every
 * AWS::IAM::Policy attached to it, with intrinsic functions rendered as `${LogicalId.Attr}` text.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { InvalidInputError } from '../../../lambda/core/errors';

export interface RenderedStatement {
  sid: string | null;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
}

/** What Table.grantReadWriteData allows, in the sorted order statements are rendered in. */
export const TABLE_READ_WRITE_ACTIONS: readonly string[] = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

/** `{Fn::Join}`, `{Ref}` and `{Fn::GetAtt}` as readable text: `arn:${AWS::Partition}:iam::...`. */
export function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return `\${${record.Ref}}`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.map(String).join('.')}}`;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(renderIntrinsic).join(join[0]);
    }
  }
  return JSON.stringify(value);
}

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function renderStatement(statement: Record<string, unknown>): RenderedStatement {
  return {
    sid: typeof statement.Sid === 'string' ? statement.Sid : null,
    effect: String(statement.Effect),
    actions: asList(statement.Action).map(renderIntrinsic).sort(),
    notActions: asList(statement.NotAction).map(renderIntrinsic).sort(),
    resources: asList(statement.Resource).map(renderIntrinsic).sort(),
  };
}

function statementsOf(document: unknown): RenderedStatement[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  return asList(statements).map((statement) => renderStatement(statement as Record<string, unknown>));
}

const refersTo = (list: unknown, logicalId: string) =>
  asList(list).some((item) => (item as { Ref?: unknown }).Ref === logicalId);

export interface RolePermissions {
  statements: RenderedStatement[];
  managedPolicyArns: string[];
}

/** Everything the role is allowed: inline policies, attached AWS::IAM::Policy and ::ManagedPolicy. */
export function rolePermissions(template: Template, roleLogicalId: string): RolePermissions {
  const role = template.toJSON().Resources?.[roleLogicalId] as
    { Properties?: { Policies?: { PolicyDocument?: unknown }[]; ManagedPolicyArns?: unknown } } | undefined;
  if (role === undefined)
    throw new InvalidInputError(`the template has no resource ${roleLogicalId}`, roleLogicalId);
  const inline = (role.Properties?.Policies ?? []).flatMap((policy) => statementsOf(policy.PolicyDocument));
  const attached = Object.values({
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  })
    .filter((policy) => refersTo((policy.Properties as { Roles?: unknown }).Roles, roleLogicalId))
    .flatMap((policy) => statementsOf((policy.Properties as { PolicyDocument?: unknown }).PolicyDocument));
  return {
    statements: [...inline, ...attached],
    managedPolicyArns: asList(role.Properties?.ManagedPolicyArns).map(renderIntrinsic),
  };
}

/**
 * The IAM actions a statement set allows beyond `allowedIamActions`: any other iam: action, any
 * wildcard that could match an iam: action ('*', 'iam:*', 'iam:Put*'), and any NotAction (which
 * allows everything it does not name).
 */
export function iamActionsOutside(
  statements: readonly RenderedStatement[],
  allowedIamActions: readonly string[],
): string[] {
  const allowed = new Set(allowedIamActions.map((action) => action.toLowerCase()));
  return statements
    .filter((statement) => statement.effect === 'Allow')
    .flatMap((statement) => [
      ...statement.notActions.map((action) => `NotAction ${action}`),
      ...statement.actions.filter((action) => {
        const [service = '', name = ''] = action.toLowerCase().split(':');
        if (!globToRegExp(service).test('iam')) return false;
        // A wildcard over iam actions could grant a write action, whatever it reads like.
        if (/[*?]/.test(service) || /[*?]/.test(name)) return true;
        return !allowed.has(`iam:${name}`);
      }),
    ]);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}
