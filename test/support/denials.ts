import type { Denial } from '../../lambda/core/model';
import { ACCOUNT } from './scope-builders';

/** A denial as the reader produces it, for engine tests that start after reading. */
export function denialOf(parts: Partial<Denial> = {}): Denial {
  return {
    eventId: 'evt-1',
    eventTime: '2026-06-17T02:04:37Z',
    account: ACCOUNT,
    region: 'ap-northeast-1',
    eventSource: 'glue.amazonaws.com',
    eventName: 'UpdateJob',
    deniedAction: 'glue:UpdateJob',
    principalArn: `arn:aws:iam::${ACCOUNT}:user/mei`,
    principalType: 'user',
    policySourceArn: `arn:aws:iam::${ACCOUNT}:user/mei`,
    permissionSetName: null,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/etl-runtime`,
    instanceProfile: null,
    authorizationId: null,
    authorizationRegion: null,
    passedToService: 'glue.amazonaws.com',
    messageCause: { policyType: 'identity', explicit: false, policyArn: null },
    context: { 'aws:MultiFactorAuthPresent': 'true', 'aws:RequestedRegion': 'ap-northeast-1' },
    notes: [],
    ...parts,
  };
}
