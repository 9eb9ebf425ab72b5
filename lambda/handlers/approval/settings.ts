import { linksEnabled } from '../../core/approval/links';
import type { ApprovalPolicySettings } from '../../core/approval/requirement';
import { InvalidInputError } from '../../core/errors';
import { readApprovalPolicySettings } from '../approval-policy-settings';
import { readLinkMacKeyId } from '../diagnose/settings';

/** What the approval function reads from its environment (set by the CDK construct). */
export interface ApprovalSettings {
  proposalsTableName: string;
  /** The KMS HMAC key review links are checked with (VerifyMac); null only in `iam` mode. */
  linkMacKeyId: string | null;
  /** The apply function, invoked asynchronously once a proposal is approved. */
  applyFunctionName: string;
  /** Who may approve what (APPROVAL_MODE, APPROVERS, ALLOW_ADMIN_ROLES, AUTO_APPROVE). */
  policy: ApprovalPolicySettings;
  /** OWN_RESOURCE_ARNS: this stack's own resources (access to them is `sensitive`). */
  ownResourceArns: string[];
  /** DECISION_SIGNING_KEY_ID: the KMS ECC_NIST_P256 key that signs approvals. */
  decisionSigningKeyId: string;
  serviceName: string;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and checks the settings once, at init: every problem in one error. */
export function readApprovalSettings(env: Environment): ApprovalSettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (value === '') problems.push(`${name} is not set`);
    return value;
  };
  const proposalsTableName = required('PROPOSALS_TABLE_NAME');
  const linkMacKeyId = readLinkMacKeyId(env, problems);
  const applyFunctionName = required('APPLY_FUNCTION_NAME');
  const { ownResourceArns, ...policy } = readApprovalPolicySettings(env, problems);
  const approvalMode = policy.approvalMode;
  const decisionSigningKeyId = required('DECISION_SIGNING_KEY_ID');
  if (decisionSigningKeyId !== '' && !KMS_KEY_ARN.test(decisionSigningKeyId)) {
    problems.push(`DECISION_SIGNING_KEY_ID is not a KMS key ARN: '${decisionSigningKeyId.slice(0, 200)}'`);
  }
  if (linkMacKeyId === null && linksEnabled(approvalMode)) {
    problems.push(
      `LINK_MAC_KEY_ID is not set: review links (APPROVAL_MODE ${approvalMode}) are checked with it`,
    );
  }
  const serviceName = required('POWERTOOLS_SERVICE_NAME');
  if (problems.length > 0) {
    throw new InvalidInputError(
      `approval function environment is invalid: ${problems.join('; ')}`,
      'environment',
    );
  }
  return {
    proposalsTableName,
    linkMacKeyId,
    applyFunctionName,
    policy,
    ownResourceArns,
    decisionSigningKeyId,
    serviceName,
  };
}
