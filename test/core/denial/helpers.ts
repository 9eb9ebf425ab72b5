/** Shared by the denial reader's tests: fixtures, a record builder and outcome narrowing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Denial } from '../../../lambda/core/model';
import type { NotApplicableCode, ReadOutcome } from '../../../lambda/core/denial';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'cloudtrail');

export function loadJson(...path: string[]): unknown {
  return JSON.parse(readFileSync(join(...path), 'utf8'));
}

export function passRoleFixture(name: string): unknown {
  return loadJson(FIXTURES, 'passrole', `${name}.json`);
}

/** The decoded authorization message stored next to an EC2 fixture: { blob, decodedMessage }. */
export function decodedMessageFixture(prefix: string): { blob: string; decodedMessage: string } {
  const value = loadJson(FIXTURES, 'passrole', `${prefix}-decoded-authorization-message.json`);
  if (typeof value !== 'object' || value === null || !('blob' in value) || !('decodedMessage' in value)) {
    throw new Error(`fixture ${prefix}-decoded-authorization-message.json has not the expected shape`);
  }
  return { blob: String(value.blob), decodedMessage: String(value.decodedMessage) };
}

export const ACCOUNT = '123456789012';
export const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`;

/** A minimal, realistic Glue UpdateJob PassRole denial by an IAM user; override any field. */
export function denialRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEMEI000001',
      arn: USER_ARN,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY000001',
      userName: 'mei.tanaka',
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: { creationDate: '2026-06-17T01:58:11Z', mfaAuthenticated: 'true' },
      },
    },
    eventTime: '2026-06-17T02:04:37Z',
    eventSource: 'glue.amazonaws.com',
    eventName: 'UpdateJob',
    awsRegion: 'ap-northeast-1',
    sourceIPAddress: '198.51.100.24',
    userAgent: 'AWS Internal',
    errorCode: 'AccessDeniedException',
    errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime because no identity-based policy allows the iam:PassRole action`,
    requestParameters: {
      jobName: 'nightly-orders-etl',
      jobUpdate: { role: `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`, glueVersion: '4.0' },
    },
    responseElements: null,
    requestID: '5f1e8a3c-6a4b-4c1d-9e1f-2b7a9d0c4e11',
    eventID: '0c5d3e7a-9b1f-4f6e-8a2d-3c4b5a6e7f80',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...overrides,
  };
}

/** A PassRole message for the default user. */
export function passRoleMessage(resource: string, cause: string): string {
  return `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: ${resource} ${cause}`.trim();
}

export function only(outcomes: ReadOutcome[]): ReadOutcome {
  if (outcomes.length !== 1) throw new Error(`expected one outcome, got ${outcomes.length}`);
  const [outcome] = outcomes;
  if (outcome === undefined) throw new Error('expected one outcome');
  return outcome;
}

export function denialOf(outcome: ReadOutcome): Denial {
  if (outcome.kind !== 'denial') throw new Error(`expected a denial, got ${JSON.stringify(outcome)}`);
  return outcome.denial;
}

export function reasonOf(outcome: ReadOutcome, kind: 'not-applicable' | 'invalid'): string {
  if (outcome.kind !== kind)
    throw new Error(`expected ${kind}, got ${JSON.stringify(outcome).slice(0, 500)}`);
  return outcome.reason;
}

/** Why the outcome is not applicable, as its code (the reason text is the CLI's, pinned elsewhere). */
export function codeOf(outcome: ReadOutcome): NotApplicableCode {
  if (outcome.kind !== 'not-applicable')
    throw new Error(`expected not-applicable, got ${JSON.stringify(outcome).slice(0, 500)}`);
  return outcome.code;
}
