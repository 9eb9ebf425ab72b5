/** Turns an EventBridge pattern in wire format (as PutRule takes it) into the CDK's EventPattern. */
import type * as events from 'aws-cdk-lib/aws-events';
import { InvalidInputError } from '../../lambda/core/errors';

type WirePattern = Readonly<Record<string, unknown>>;

const CDK_KEYS: Readonly<Record<string, keyof events.EventPattern>> = {
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
  id: 'id',
  time: 'time',
  version: 'version',
};

export function toCdkEventPattern(pattern: WirePattern): events.EventPattern {
  // A JSON round trip drops `readonly` and shares nothing with the exported constant.
  const copy = JSON.parse(JSON.stringify(pattern)) as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(copy)) {
    const cdkKey = CDK_KEYS[key];
    if (cdkKey === undefined)
      throw new InvalidInputError(`unsupported top-level event pattern field: ${key}`, 'event pattern');
    result[cdkKey] = value;
  }
  return result as events.EventPattern;
}
