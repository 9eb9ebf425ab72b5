/**
 * The deployment's approval policy as the diagnose and approval functions read it from their
 * environment (APPROVAL_MODE, APPROVERS, ALLOW_ADMIN_ROLES, AUTO_APPROVE, OWN_RESOURCE_ARNS): one
 * reader, so both functions derive the same requirement from the same settings. Each reader adds its
 * problems to the caller's list, so a misconfigured function names every problem in one error.
 */
import { APPROVAL_MODES, DEFAULT_APPROVAL_MODE, type ApprovalMode } from '../core/approval/links';
import type { ApprovalPolicySettings, AutoApprove } from '../core/approval/requirement';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * An IAM principal ARN pattern: `arn:<partition>:iam|sts::<account>:<resource>`, `*` and `?` allowed
 * anywhere but in the `arn` prefix. Whitespace and commas are never part of one.
 */
const PRINCIPAL_PATTERN = /^arn:[a-z*?-]+:(iam|sts|[*?]+):[a-z0-9*?-]*:(\d{12}|[\d*?]+):[^\s,]+$/;

/** An ARN pattern of any service: six colon-separated parts, the last non-empty, no whitespace. */
const RESOURCE_PATTERN = /^arn:[a-z*?-]+:[a-z0-9*?-]+:[a-z0-9*?-]*:[\d*?]*:[^\s,]+$/;

const AUTO_APPROVE_VALUES: readonly AutoApprove[] = ['off', 'no-new-access'];

function list(env: Environment, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** APPROVAL_MODE: link, iam or both (the default). */
export function readApprovalMode(env: Environment, problems: string[]): ApprovalMode {
  const raw = env['APPROVAL_MODE']?.trim() ?? '';
  if (raw === '') return DEFAULT_APPROVAL_MODE;
  const mode = APPROVAL_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) problems.push(`APPROVAL_MODE must be link, iam or both, got '${raw}'`);
  return mode ?? DEFAULT_APPROVAL_MODE;
}

/** APPROVERS: comma-separated IAM principal ARN patterns; none when unset. */
export function readApprovers(env: Environment, problems: string[]): string[] {
  const approvers = list(env, 'APPROVERS');
  for (const pattern of approvers) {
    if (!PRINCIPAL_PATTERN.test(pattern)) {
      problems.push(`APPROVERS holds '${pattern}', which is not an IAM or STS principal ARN pattern`);
    }
  }
  return approvers.filter((pattern) => PRINCIPAL_PATTERN.test(pattern));
}

/** ALLOW_ADMIN_ROLES: true or false (the default). */
export function readAllowAdminRoles(env: Environment, problems: string[]): boolean {
  const raw = env['ALLOW_ADMIN_ROLES']?.trim() ?? '';
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  problems.push(`ALLOW_ADMIN_ROLES must be true or false, got '${raw}'`);
  return false;
}

/** AUTO_APPROVE: off (the default) or no-new-access. */
export function readAutoApprove(env: Environment, problems: string[]): AutoApprove {
  const raw = env['AUTO_APPROVE']?.trim() ?? '';
  if (raw === '') return 'off';
  const value = AUTO_APPROVE_VALUES.find((candidate) => candidate === raw);
  if (value === undefined) problems.push(`AUTO_APPROVE must be off or no-new-access, got '${raw}'`);
  return value ?? 'off';
}

/** OWN_RESOURCE_ARNS: comma-separated ARN patterns of the stack's own resources; none when unset. */
export function readOwnResourceArns(env: Environment, problems: string[]): string[] {
  const arns = list(env, 'OWN_RESOURCE_ARNS');
  for (const arn of arns) {
    if (!RESOURCE_PATTERN.test(arn))
      problems.push(`OWN_RESOURCE_ARNS holds '${arn}', which is not an ARN pattern`);
  }
  return arns.filter((arn) => RESOURCE_PATTERN.test(arn));
}

/** APPROVAL_MODE, APPROVERS, ALLOW_ADMIN_ROLES and AUTO_APPROVE as the approval rules take them. */
export function readApprovalPolicySettings(env: Environment, problems: string[]): ApprovalPolicySettings {
  return {
    approvalMode: readApprovalMode(env, problems),
    approvers: readApprovers(env, problems),
    allowAdminRoles: readAllowAdminRoles(env, problems),
    autoApprove: readAutoApprove(env, problems),
  };
}
