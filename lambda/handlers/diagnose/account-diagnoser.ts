/**
 * The diagnoser of one account, as the diagnose function builds it: the account's reads and
 * simulator, AWS's evaluation records, and the escalation analysis under the deployment's approval
 * policy. Given the SCP levels in force (organization mode), the escalation inputs carry those,
 * whatever the account's reader was built with: the analysis sees the member's SCPs, not a guess.
 */
import { createDiagnoser, type Diagnoser } from '../../core/diagnose';
import type { ApprovalPolicySettings } from '../../core/approval/requirement';
import type { AccountReadAccess } from '../../ports/account-access';
import type { AuthorizationRecordReader } from '../../ports/authorization-record-reader';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { ServiceControlPolicy } from '../../ports/organization-reader';
import type { DiagnoserFor } from './accounts';

export interface AccountDiagnoserSettings {
  authorizationRecords: AuthorizationRecordReader;
  approvalPolicy: ApprovalPolicySettings;
  /** ARN patterns of this deployment's own resources: access to them is sensitive. */
  ownResourceArns: readonly string[];
}

/** The reader's escalation inputs with these SCP levels in force. */
export function withServiceControlPolicies(
  reader: EscalationReader,
  scps: readonly (readonly ServiceControlPolicy[])[],
): EscalationReader {
  return {
    readEscalationInputs: async (roleArn, target) => ({
      ...(await reader.readEscalationInputs(roleArn, target)),
      scps: scps.map((level) => [...level]),
    }),
  };
}

export function accountDiagnoser(settings: AccountDiagnoserSettings): DiagnoserFor {
  return (access: AccountReadAccess, scps): Diagnoser => {
    const reader =
      scps === null ? access.escalationReader : withServiceControlPolicies(access.escalationReader, scps);
    return createDiagnoser({
      // A member's record is read with the member's identity, never the hub's.
      authorizationRecords: access.authorizationRecords ?? settings.authorizationRecords,
      accountReader: access.accountReader,
      simulator: access.simulator,
      instanceProfiles: access.instanceProfiles,
      escalation: {
        reader,
        approvalPolicy: { settings: settings.approvalPolicy, source: 'deployment' },
        ownResourceArns: settings.ownResourceArns,
      },
    });
  };
}
