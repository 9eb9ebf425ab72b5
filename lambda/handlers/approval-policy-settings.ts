/**
 * The approval settings the diagnose and approval functions share (APPROVAL_MODE, APPROVERS,
 * ALLOW_ADMIN_ROLES, AUTO_APPROVE, OWN_RESOURCE_ARNS), read and checked in one place so both derive
 * the same requirement from the same level. Written on the `approval` branch; the `wiring` branch has
 * its own of the same name and signature: keep one when merging.
 */
import type { ApprovalPolicySettings, AutoApprove } from '../core/approval/requirement';
import { readApprovalMode } from './diagnose/settings';

type Environment = Readonly<Record<string, string | undefined>>;

/** An IAM or STS principal ARN pattern: `*` and `?` allowed anywhere after the service. */
const PRINCIPAL_PATTERN = /^arn:(aws[a-z-]*|\*):(iam|sts):[^:]*:(\d{12}|\*|\?{12})?:\S+$/;
const ARN_PATTERN = /^arn:[^:\s]+:[^:\s]*:[^:\s]*:[^:\s]*:\S+$/;

function list(env: Environment, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function readApprovalPolicySettings(
  env: Environment,
  problems: string[],
): ApprovalPolicySettings & { ownResourceArns: string[] } {
  const approvalMode = readApprovalMode(env, problems);
  const approvers = list(env, 'APPROVERS');
  for (const pattern of approvers) {
    if (!PRINCIPAL_PATTERN.test(pattern)) {
      problems.push(`APPROVERS: '${pattern.slice(0, 200)}' is not an IAM or STS principal ARN pattern`);
    }
  }
  const admin = env['ALLOW_ADMIN_ROLES']?.trim() ?? '';
  if (admin !== '' && admin !== 'true' && admin !== 'false') {
    problems.push(`ALLOW_ADMIN_ROLES must be true or false, got '${admin.slice(0, 100)}'`);
  }
  const auto = env['AUTO_APPROVE']?.trim() ?? '';
  let autoApprove: AutoApprove = 'off';
  if (auto === 'no-new-access') autoApprove = 'no-new-access';
  else if (auto !== '' && auto !== 'off') {
    problems.push(`AUTO_APPROVE must be off or no-new-access, got '${auto.slice(0, 100)}'`);
  }
  const ownResourceArns = list(env, 'OWN_RESOURCE_ARNS');
  for (const arn of ownResourceArns) {
    if (!ARN_PATTERN.test(arn))
      problems.push(`OWN_RESOURCE_ARNS: '${arn.slice(0, 200)}' is not an ARN pattern`);
  }
  return { approvalMode, approvers, allowAdminRoles: admin === 'true', autoApprove, ownResourceArns };
}
