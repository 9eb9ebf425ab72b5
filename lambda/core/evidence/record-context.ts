/**
 * The request's context as AWS recorded it, over the one reconstructed from the CloudTrail record:
 * where they differ, AWS's value is what was evaluated. Only single values the simulators can type
 * are taken; a key the CloudTrail record does not carry is added when it is one that conditions on
 * a pass commonly test.
 */
import { isIP } from 'node:net';
import { TYPED_CONTEXT_KEYS, type ContextKeyType } from '../iam/context-key-types';
import type { Denial, RequestContext } from '../model';
import type { AwsEvaluation, AwsRequestContext } from './aws-evaluation';
import { singleValue } from './record-belongs';

const PASSED_TO_SERVICE = 'iam:PassedToService';

/** The keys added when only AWS's record has them, with their types (lower case, as IAM compares keys). */
const ADDED_KEYS: Record<string, ContextKeyType> = {
  ...TYPED_CONTEXT_KEYS,
  'aws:requestedregion': 'string',
  'aws:principalarn': 'string',
  'aws:sourcevpc': 'string',
  'aws:sourcevpce': 'string',
  'aws:vpcsourceip': 'ip',
};

/** One key where AWS's record and the reconstruction differ; `reconstructed` null when it lacked the key. */
export interface ContextDifference {
  key: string;
  aws: string;
  reconstructed: string | null;
}

export interface RecordedRequest {
  /** The reconstructed context with AWS's values where they differ (iam:PassedToService apart). */
  context: RequestContext;
  /** AWS's iam:PassedToService, else the denial's. */
  passedToService: string | null;
  differences: ContextDifference[];
  /** Keys whose value in the record is not of the key's type: the reconstructed value is kept. */
  ignored: string[];
}

/** Own keys only: a record's key named like an Object.prototype member is just a string key. */
function knownType(key: string): ContextKeyType | null {
  const lower = key.toLowerCase();
  return Object.hasOwn(ADDED_KEYS, lower) ? (ADDED_KEYS[lower] ?? null) : null;
}

/** The value in the form the simulators take, or null when it is not of the key's type. */
function normalized(type: ContextKeyType, value: string): string | null {
  switch (type) {
    case 'boolean': {
      const lower = value.trim().toLowerCase();
      return lower === 'true' || lower === 'false' ? lower : null;
    }
    case 'ip':
      return isIP(value) !== 0 || /^[\d.:a-fA-F]+\/\d{1,3}$/.test(value) ? value : null;
    case 'date':
      return Number.isNaN(Date.parse(value)) ? null : value;
    case 'numeric':
      return /^-?\d+(\.\d+)?$/.test(value.trim()) ? value.trim() : null;
    case 'string':
      return value;
  }
}

function same(type: ContextKeyType, left: string, right: string): boolean {
  // The record and CloudTrail write one instant with different precision: the same second is the same.
  if (type === 'date') return Math.floor(Date.parse(left) / 1000) === Math.floor(Date.parse(right) / 1000);
  if (type === 'boolean') return left.toLowerCase() === right.toLowerCase();
  return left === right;
}

/** AWS's context for the evaluation: the request's, with the evaluation's own keys on top. */
function recordedContext(requestContext: AwsRequestContext, evaluation: AwsEvaluation): Map<string, string> {
  const merged = new Map<string, { key: string; value: string }>();
  for (const source of [requestContext, evaluation.context]) {
    for (const [key, raw] of Object.entries(source)) {
      const value = singleValue(raw);
      if (value !== null) merged.set(key.toLowerCase(), { key, value });
    }
  }
  return new Map([...merged.values()].map(({ key, value }) => [key, value]));
}

export function recordedRequest(
  denial: Denial,
  requestContext: AwsRequestContext,
  evaluation: AwsEvaluation,
): RecordedRequest {
  const context: RequestContext = { ...denial.context };
  const differences: ContextDifference[] = [];
  const ignored: string[] = [];
  let passedToService = denial.passedToService;
  const existing = new Map(Object.keys(context).map((key) => [key.toLowerCase(), key]));
  for (const [key, raw] of recordedContext(requestContext, evaluation)) {
    if (key.toLowerCase() === PASSED_TO_SERVICE.toLowerCase()) {
      if (raw !== denial.passedToService) {
        differences.push({ key: PASSED_TO_SERVICE, aws: raw, reconstructed: denial.passedToService });
        passedToService = raw;
      }
      continue;
    }
    const ours = existing.get(key.toLowerCase());
    const known = knownType(key);
    if (ours === undefined && known === null) continue;
    const type = known ?? 'string';
    const value = normalized(type, raw);
    if (value === null) {
      ignored.push(key);
      continue;
    }
    const reconstructed = ours === undefined ? null : (context[ours] ?? null);
    if (reconstructed !== null && same(type, value, reconstructed)) continue;
    context[ours ?? key] = value;
    differences.push({ key: ours ?? key, aws: value, reconstructed });
  }
  return { context, passedToService, differences, ignored };
}
