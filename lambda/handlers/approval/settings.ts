import type { ApprovalMode } from '../../core/approval/links';
import { linksEnabled } from '../../core/approval/links';
import { InvalidInputError } from '../../core/errors';
import { readApprovalMode, readApprovalSecretArn } from '../diagnose/settings';

/** What the approval function reads from its environment (set by the CDK construct). */
export interface ApprovalSettings {
  proposalsTableName: string;
  /** The link signing key's secret; null only in `iam` mode, which serves no link. */
  approvalSecretArn: string | null;
  /** The apply function, invoked asynchronously once a proposal is approved. */
  applyFunctionName: string;
  approvalMode: ApprovalMode;
  serviceName: string;
}

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
  const approvalSecretArn = readApprovalSecretArn(env, problems);
  const applyFunctionName = required('APPLY_FUNCTION_NAME');
  const approvalMode = readApprovalMode(env, problems);
  if (approvalSecretArn === null && linksEnabled(approvalMode)) {
    problems.push(
      `APPROVAL_SECRET_ARN is not set: review links (APPROVAL_MODE ${approvalMode}) are checked with it`,
    );
  }
  const serviceName = required('POWERTOOLS_SERVICE_NAME');
  if (problems.length > 0) {
    throw new InvalidInputError(
      `approval function environment is invalid: ${problems.join('; ')}`,
      'environment',
    );
  }
  return { proposalsTableName, approvalSecretArn, applyFunctionName, approvalMode, serviceName };
}
