import type { InlineMerge, PermissionSetRef } from '../identity-center/model';
import type { PolicyDocument, ProposalTarget, RequestContext } from '../model';

/** Single-quotes a word for POSIX shells, whatever it contains. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const CONTEXT_KEY_TYPES: Record<string, string> = {
  'aws:multifactorauthpresent': 'boolean',
  'aws:securetransport': 'boolean',
  'aws:viaawsservice': 'boolean',
  'aws:sourceip': 'ip',
  'aws:currenttime': 'date',
  'aws:epochtime': 'numeric',
  'aws:multifactorauthage': 'numeric',
};

export function contextKeyType(key: string): string {
  return CONTEXT_KEY_TYPES[key.toLowerCase()] ?? 'string';
}

export function applyCommand(
  target: ProposalTarget,
  policyName: string,
  document: PolicyDocument,
): string | null {
  const json = shellQuote(JSON.stringify(document));
  switch (target.type) {
    case 'group':
      return `aws iam put-group-policy --group-name ${shellQuote(target.name)} --policy-name ${shellQuote(policyName)} --policy-document ${json}`;
    case 'user':
      return `aws iam put-user-policy --user-name ${shellQuote(target.name)} --policy-name ${shellQuote(policyName)} --policy-document ${json}`;
    case 'role':
      return `aws iam put-role-policy --role-name ${shellQuote(target.name)} --policy-name ${shellQuote(policyName)} --policy-document ${json}`;
    case 'permission-set':
      // Identity Center owns the reserved role; the statement goes into the permission set (see findings).
      return null;
  }
}

/**
 * The permission set's change by hand: the merged inline policy (unless it holds the statement already),
 * then provisioning to the denial's account only. sso-admin is regional: run it in the instance's region.
 */
export function permissionSetApplyCommand(
  ref: PermissionSetRef,
  merge: Extract<InlineMerge, { kind: 'merged' }>,
  accountId: string,
): string {
  const set = `--instance-arn ${shellQuote(ref.instanceArn)} --permission-set-arn ${shellQuote(ref.permissionSetArn)}`;
  const provision = `aws sso-admin provision-permission-set ${set} --target-type AWS_ACCOUNT --target-id ${shellQuote(accountId)}`;
  if (merge.alreadyPresent) return provision;
  return `aws sso-admin put-inline-policy-to-permission-set ${set} --inline-policy ${shellQuote(merge.text)} && ${provision}`;
}

export function verifyCommand(policySourceArn: string, roleArn: string, context: RequestContext): string {
  const entries = Object.entries(context)
    .filter(([key]) => key.toLowerCase() !== 'aws:currenttime')
    .map(([key, value]) =>
      shellQuote(`ContextKeyName=${key},ContextKeyValues=${value},ContextKeyType=${contextKeyType(key)}`),
    );
  return [
    'aws iam simulate-principal-policy',
    `--policy-source-arn ${shellQuote(policySourceArn)}`,
    '--action-names iam:PassRole',
    `--resource-arns ${shellQuote(roleArn)}`,
    ...(entries.length > 0 ? [`--context-entries ${entries.join(' ')}`] : []),
  ].join(' ');
}
