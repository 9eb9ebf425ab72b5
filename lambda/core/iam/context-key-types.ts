/**
 * The declared types of the global condition keys whose values are not plain strings (keys lower
 * case, as IAM compares them). IAM compares a value by its key's type: a boolean sent as a string
 * never matches a Bool condition.
 */
export type ContextKeyType = 'boolean' | 'ip' | 'date' | 'numeric' | 'string';

export const TYPED_CONTEXT_KEYS: Readonly<Record<string, ContextKeyType>> = {
  'aws:multifactorauthpresent': 'boolean',
  'aws:multifactorauthage': 'numeric',
  'aws:securetransport': 'boolean',
  'aws:viaawsservice': 'boolean',
  'aws:principalisawsservice': 'boolean',
  'aws:sourceip': 'ip',
  'aws:currenttime': 'date',
  'aws:tokenissuetime': 'date',
};

/** The key's type; a key not listed is a string. */
export function contextKeyType(key: string): ContextKeyType {
  const lower = key.toLowerCase();
  return Object.hasOwn(TYPED_CONTEXT_KEYS, lower) ? (TYPED_CONTEXT_KEYS[lower] ?? 'string') : 'string';
}
