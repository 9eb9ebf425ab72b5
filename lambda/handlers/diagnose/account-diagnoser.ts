/**
 * The diagnoser of one account, as the diagnose function builds it: the account's reads and
 * simulator, AWS's evaluation records, and the escalation analysis under the deployment's approval
 * policy. Given the SCP levels in force (organization mode), the escalation inputs carry those,
 * whatever the account's reader was built with: the analysis sees the member's SCPs, not a guess.
 */
import { createDiagnoser, type Diagnoser } from '../../core/diagnose';
import type { IdentityCenterDependencies } from '../../core/diagnosis/permission-set';
import type { ApprovalPolicySettings } from '../../core/approval/requirement';
import type { AccountReadAccess } from '../../ports/account-access';
import type { AuthorizationRecordReader } from '../../ports/authorization-record-reader';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { ServiceControlPolicy } from '../../ports/organization-reader';
import type { IdentityCenterReader } from '../../ports/identity-center';
import type { ManagedPolicyReader } from '../../ports/managed-policy-reader';
import type { IdentityCenterAdministration } from '../../core/identity-center/model';
import type { PolicySimulator } from '../../ports/policy-simulator';
import type { DiagnoserFor } from './accounts';

export interface AccountDiagnoserSettings {
  authorizationRecords: AuthorizationRecordReader;
  approvalPolicy: ApprovalPolicySettings;
  /** ARN patterns of this deployment's own resources: access to them is sensitive. */
  ownResourceArns: readonly string[];
  /**
   * Identity Center's reads (the management account's read role) and where it is administered from:
   * permission sets get merged proposals. Absent: advice only, as before.
   */
  identityCenter?: {
    reader: IdentityCenterReader;
    /**
     * The simulator of the set as provisioned, holding these SCP levels: one that evaluates the
     * principal in the request's scope, i.e. the offline engine
     * (`new LocalPolicySimulator({ serviceControlPolicyLevels: scps ?? [] })`). Given by the wiring,
     * so the functions without Identity Center do not bundle it.
     */
    simulator: (scps: readonly (readonly ServiceControlPolicy[])[] | null) => PolicySimulator;
    administration?: IdentityCenterAdministration | (() => Promise<IdentityCenterAdministration>);
    /** The denial's account's managed policy documents, for those the role does not carry yet. */
    managedPolicies?: (access: AccountReadAccess) => ManagedPolicyReader | undefined;
  };
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
      ...(settings.identityCenter !== undefined && {
        identityCenter: identityCenterFor(settings.identityCenter, access, scps),
      }),
      escalation: {
        reader,
        approvalPolicy: { settings: settings.approvalPolicy, source: 'deployment' },
        ownResourceArns: settings.ownResourceArns,
      },
    });
  };
}

/**
 * The set as provisioned is simulated by the given simulator with the account's SCP levels (the
 * offline engine: IAM's SimulatePrincipalPolicy only evaluates the reserved role as it is now, and
 * SimulateCustomPolicy leaves SCPs out).
 */
function identityCenterFor(
  identityCenter: NonNullable<AccountDiagnoserSettings['identityCenter']>,
  access: AccountReadAccess,
  scps: readonly (readonly ServiceControlPolicy[])[] | null,
): IdentityCenterDependencies {
  const managedPolicies = identityCenter.managedPolicies?.(access);
  return {
    reader: identityCenter.reader,
    simulator: identityCenter.simulator(scps),
    serviceControlPoliciesKnown: scps !== null,
    ...(identityCenter.administration !== undefined && { administration: identityCenter.administration }),
    ...(managedPolicies !== undefined && { managedPolicies }),
  };
}
