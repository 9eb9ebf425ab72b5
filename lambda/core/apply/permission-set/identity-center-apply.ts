/**
 * What the apply step needs to act on Identity Center: its reads and its two writes (organization
 * mode: through the administering account's read and apply roles), and where its administration runs
 * from. Absent: permission sets are refused, as before (advice only).
 *
 * The writer is a factory of the approver (the apply role's session carries them as SourceIdentity,
 * so the administering account's CloudTrail names who decided), and the administration is read once
 * per container (DescribeOrganization): both are exactly what hubIdentityCenterAccess gives.
 */
import type { IdentityCenterAdministration } from '../../identity-center/model';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../../ports/identity-center';

export interface IdentityCenterApply {
  reader: IdentityCenterReader;
  /** A writer whose calls carry `approver` (sourceIdentityOf the decision). */
  writer: (approver: string) => IdentityCenterWriter;
  administration: () => Promise<IdentityCenterAdministration>;
}

/** The same, resolved for one run: the approver's writer and the administration as read. */
export interface IdentityCenterPorts {
  reader: IdentityCenterReader;
  writer: IdentityCenterWriter;
  administration: IdentityCenterAdministration;
}

/** How long to wait between DescribePermissionSetProvisioningStatus calls: first, doubled up to the cap. */
export const DEFAULT_PROVISIONING_FIRST_DELAY_MS = 1_000;
export const DEFAULT_PROVISIONING_MAX_DELAY_MS = 8_000;
