import type { ApprovalMode } from '../../core/approval/links';
import { linksEnabled } from '../../core/approval/links';
import { InvalidInputError } from '../../core/errors';
import { readApprovalMode, readLinkMacKeyId } from '../diagnose/settings';

/** What the approval function reads from its environment (set by the CDK construct). */
export interface ApprovalSettings {
  proposalsTableName: string;
  /** The KMS HMAC key review links are checked with (VerifyMac); null only in `iam` mode. */
  linkMacKeyId: string | null;
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
  const linkMacKeyId = readLinkMacKeyId(env, problems);
  const applyFunctionName = required('APPLY_FUNCTION_NAME');
  const approvalMode = readApprovalMode(env, problems);
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
  return { proposalsTableName, linkMacKeyId, applyFunctionName, approvalMode, serviceName };
}
