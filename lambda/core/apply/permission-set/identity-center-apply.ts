/**
 * What the apply step needs to act on Identity Center: its reads and its two writes (organization
 * mode: through the management account's read and apply roles), and where its administration runs
 * from. Absent: permission sets are refused, as before (advice only).
 */
import type { IdentityCenterAdministration } from '../../identity-center/model';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../../ports/identity-center';

export interface IdentityCenterApply {
  reader: IdentityCenterReader;
  writer: IdentityCenterWriter;
  administration: IdentityCenterAdministration;
}

/** How long to wait between DescribePermissionSetProvisioningStatus calls: first, doubled up to the cap. */
export const DEFAULT_PROVISIONING_FIRST_DELAY_MS = 1_000;
export const DEFAULT_PROVISIONING_MAX_DELAY_MS = 8_000;
