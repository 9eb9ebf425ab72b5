/**
 * THE rule for whether a proposal's target can be approved and applied from here. IAM targets can.
 * A permission set can only as read from Identity Center: its instance, its ARN and the hash of its
 * definition, which the decision signs and the apply step compares. A set known only by name (single-
 * account mode, or a set Identity Center did not answer for) is advice: nobody approves it here.
 * decide.ts, links.ts and the renderers all ask this one function, so they never disagree.
 */
import type { ProposalTarget } from '../model';

export function approvableTarget(
  target: Pick<ProposalTarget, 'type' | 'instanceArn' | 'permissionSetArn' | 'definitionHash'>,
): boolean {
  if (target.type !== 'permission-set') return true;
  return (
    target.instanceArn !== undefined &&
    target.permissionSetArn !== undefined &&
    target.definitionHash !== undefined
  );
}
