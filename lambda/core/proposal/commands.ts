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
