import { linksEnabled, type ApprovalMode } from '../../core/approval/links';
import type { ApprovalPolicySettings } from '../../core/approval/requirement';
import { readEnvironment, throwOnProblems, type Environment } from '../../settings/env';
import { DIAGNOSE_AUTO_APPROVE_ENV, DIAGNOSE_ENV, DIAGNOSE_POWERTOOLS_ENV } from '../../settings/diagnose';
import { readOrganizationSettings, type OrganizationSettings } from '../../settings/organization-policy';

/** What the diagnose function reads from its environment (lambda/settings/diagnose.ts). */
export interface DiagnoseSettings {
  proposalsTableName: string;
  idempotencyTableName: string;
  topicArn: string;
  /** How long a proposal stays pending (and its incident open). */
  proposalTtlHours: number;
  /** A pending proposal's reminder goes out once its last message is this old. */
  renotifyAfterHours: number;
  /** The review page's base URL; no link in the messages without it. */
  reviewBaseUrl: string | null;
  /** Links, CLI commands or both in the messages (APPROVAL_MODE, default both). */
  approvalMode: ApprovalMode;
  /** The KMS HMAC key review links are MACed with (GenerateMac); required when messages carry links. */
  linkMacKeyId: string | null;
  /** Who may approve what (APPROVAL_MODE, APPROVERS, ALLOW_ADMIN_ROLES, AUTO_APPROVE). */
  approvalPolicy: ApprovalPolicySettings;
  /** ARN patterns of this deployment's own resources (OWN_RESOURCE_ARNS): access to them is sensitive. */
  ownResourceArns: string[];
  /**
   * The approval function asked to look at a new `none` proposal (APPROVAL_FUNCTION_NAME): required
   * when AUTO_APPROVE is no-new-access, null otherwise (nothing is ever asked then).
   */
  approvalFunctionName: string | null;
  /** Organization mode's settings (ORGANIZATION_ID and the rest); null in single-account mode. */
  organization: OrganizationSettings | null;
  serviceName: string;
  metricsNamespace: string;
}

/**
 * Reads and checks the settings once, at init: every problem in one error, so a misconfigured
 * deployment fails its first invocation with a message that names them all.
 */
export function readDiagnoseSettings(env: Environment): DiagnoseSettings {
  const problems: string[] = [];
  const {
    ownResourceArns,
    approvalMode,
    approvers,
    allowAdminRoles,
    autoApprove,
    permissionSetPeopleLimit,
    ...read
  } = readEnvironment(DIAGNOSE_ENV, env, problems);
  if (linksEnabled(approvalMode) && read.reviewBaseUrl !== null && read.linkMacKeyId === null) {
    problems.push(
      `${DIAGNOSE_ENV.linkMacKeyId.name} is not set: review links (APPROVAL_MODE ${approvalMode}) are signed with it`,
    );
  }
  const approvalFunctionName =
    autoApprove === 'no-new-access'
      ? readEnvironment(DIAGNOSE_AUTO_APPROVE_ENV, env, problems).approvalFunctionName
      : null;
  const organization = readOrganizationSettings(env, problems);
  const powertools = readEnvironment(DIAGNOSE_POWERTOOLS_ENV, env, problems);
  throwOnProblems('diagnose', problems);
  return {
    ...read,
    approvalMode,
    approvalPolicy: { approvalMode, approvers, allowAdminRoles, autoApprove, permissionSetPeopleLimit },
    ownResourceArns,
    approvalFunctionName,
    organization,
    ...powertools,
  };
}
