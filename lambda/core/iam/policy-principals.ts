import { toArray } from '../policy/patterns';

export type PolicyPrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

/**
 * The principals of one type a statement's `Principal` names: `{"AWS": [...]}` -> those ARNs or
 * accounts; `"Principal": "*"` -> ['*'], which is every principal of every type.
 */
export function principalsOfType(principal: unknown, type: PolicyPrincipalType): string[] {
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [];
  const named = (principal as Record<string, unknown>)[type];
  return toArray(named).filter((value): value is string => typeof value === 'string');
}
