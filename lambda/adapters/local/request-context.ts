/**
 * The request context of an offline simulation: what a real request from the principal carries, and
 * the check that each given value has its key's type.
 */
import { typeForContextKey } from '@cloud-copilot/iam-simulate';
import { isIP } from 'node:net';
import { SimulationError } from '../../core/errors';
import type { PrincipalDetails, RequestContext } from '../../core/model';
import { accountOf } from '../../core/iam/arn';

/**
 * What a real request from this principal carries, which the library does not fill in itself:
 * without them `${aws:username}` resolves to nothing and an SCP guardrail on aws:PrincipalArn
 * would match everyone. Values the caller gives win.
 */
export function contextFor(principal: PrincipalDetails, context: RequestContext): Record<string, string> {
  const implied: Record<string, string> = {
    'aws:PrincipalArn': principal.arn,
    'aws:PrincipalType': principal.kind === 'user' ? 'User' : 'AssumedRole',
  };
  const principalAccount = accountOf(principal.arn);
  if (principalAccount) implied['aws:PrincipalAccount'] = principalAccount;
  if (principal.kind === 'user') implied['aws:username'] = principal.name;

  const given = new Set(Object.keys(context).map((key) => key.toLowerCase()));
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(implied)) {
    if (!given.has(key.toLowerCase())) merged[key] = value;
  }
  return Object.assign(merged, context);
}

const contextKeyTypes = new Map<string, string | null>();

async function contextKeyType(key: string): Promise<string | null> {
  const lower = key.toLowerCase();
  if (!contextKeyTypes.has(lower)) {
    // Keys iam-simulate does not know are dropped by it before evaluation: nothing to check.
    const type = await typeForContextKey(lower).catch(() => null);
    contextKeyTypes.set(lower, type === null ? null : type.replace(/^ArrayOf/, ''));
  }
  return contextKeyTypes.get(lower) ?? null;
}

/**
 * iam-simulate compares a malformed value as a mere non-match, so a deny conditioned on it would
 * silently not apply (a 'yes' for aws:MultiFactorAuthPresent lifts an MFA guard): reject those here.
 */
export async function validateContext(context: RequestContext): Promise<void> {
  for (const [key, value] of Object.entries(context)) {
    const type = await contextKeyType(key);
    const problem = type === null ? null : typeProblem(type, value);
    if (problem) {
      throw new SimulationError(`Context value for ${key} is ${JSON.stringify(value)}: ${problem}`);
    }
  }
}

function typeProblem(type: string, value: string): string | null {
  switch (type) {
    case 'Bool':
      return value === 'true' || value === 'false' ? null : "a boolean key takes 'true' or 'false'";
    case 'IPAddress':
      return isIpOrCidr(value) ? null : 'not an IP address or CIDR block';
    case 'Date':
      return isIamDate(value) ? null : 'not an ISO 8601 date or epoch seconds';
    case 'Numeric':
      return /^-?\d+(\.\d+)?$/.test(value) ? null : 'not a number';
    default:
      return null;
  }
}

function isIpOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function isIamDate(value: string): boolean {
  if (/^\d+$/.test(value)) return true;
  return (
    /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))
  );
}
