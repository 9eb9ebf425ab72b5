import { linksEnabled } from '../../core/approval/links';
import type { ApprovalPolicySettings } from '../../core/approval/requirement';
import { APPROVAL_ENV, APPROVAL_POWERTOOLS_ENV } from '../../settings/approval';
import { readEnvironment, throwOnProblems, type Environment } from '../../settings/env';
import { readHubAccessSettings, type HubAccessSettings } from '../../settings/hub-access';

/** What the approval function reads from its environment (lambda/settings/approval.ts). */
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
  /** Organization mode (ORGANIZATION_ID set): the member access and per-account policy; else null. */
  organization: HubAccessSettings | null;
  serviceName: string;
}

/** Reads and checks the settings once, at init: every problem in one error. */
export function readApprovalSettings(env: Environment): ApprovalSettings {
  const problems: string[] = [];
  const { approvalMode, approvers, allowAdminRoles, autoApprove, permissionSetPeopleLimit, ...read } =
    readEnvironment(APPROVAL_ENV, env, problems);
  if (read.linkMacKeyId === null && linksEnabled(approvalMode)) {
    problems.push(
      `${APPROVAL_ENV.linkMacKeyId.name} is not set: review links (APPROVAL_MODE ${approvalMode}) are checked with it`,
    );
  }
  const { serviceName } = readEnvironment(APPROVAL_POWERTOOLS_ENV, env, problems);
  const organization = readHubAccessSettings(env, problems);
  throwOnProblems('approval', problems);
  const policy: ApprovalPolicySettings = {
    approvalMode,
    approvers,
    allowAdminRoles,
    autoApprove,
    permissionSetPeopleLimit,
  };
  if (organization !== null) policy.sensitiveAccounts = organization.sensitiveAccounts;
  return { ...read, policy, organization, serviceName };
}
