/**
 * Each not-applicable reason has its machine-readable code: metrics and tests use the code, the reason
 * text stays what the CLI prints. One record per reason, each giving its code and its exact text.
 */
import {
  NOT_APPLICABLE_CODES,
  type NotApplicableCode,
  readDenials,
  type ReadOutcome,
} from '../../../lambda/core/denial';
import { ACCOUNT, USER_ARN, decodedMessageFixture, denialRecord, only, passRoleFixture } from './helpers';

interface Case {
  code: NotApplicableCode;
  input: unknown;
  decoded?: Map<string, string>;
  reason: string;
}

const EVENT_ID = String(denialRecord()['eventID']);
const { blob } = decodedMessageFixture('05');
const ENCODED_ONLY = passRoleFixture('05-ec2-AssociateIamInstanceProfile-encoded-only');
const decodedAs = (context: Record<string, unknown>) =>
  new Map([[blob, JSON.stringify({ allowed: false, explicitDeny: false, context })]]);

const CASES: Case[] = [
  {
    code: 'not-an-api-call-event',
    input: { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: {} },
    reason:
      "EventBridge event of type 'EC2 Instance State-change Notification' is not an API call recorded by CloudTrail",
  },
  {
    code: 'not-from-aws',
    input: {
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'custom.attacker',
      detail: denialRecord(),
    },
    reason:
      "EventBridge event from source 'custom.attacker', not from AWS: CloudTrail's events come from aws.* sources, which only AWS services can put on a bus",
  },
  {
    code: 'insights-event',
    input: { eventType: 'AwsCloudTrailInsight', eventID: 'e1', recipientAccountId: ACCOUNT },
    reason: 'a CloudTrail Insights event, not an API call',
  },
  {
    code: 'not-an-error',
    input: denialRecord({ errorCode: undefined, errorMessage: undefined }),
    reason: 'the call succeeded: the record has no errorCode',
  },
  {
    code: 'not-authorization-failure',
    input: denialRecord({ errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }),
    reason: 'errorCode ThrottlingException is not an authorization failure',
  },
  {
    // A network activity event, as CloudTrail's documentation shows one: the message names no action.
    code: 'vpc-endpoint-policy',
    input: denialRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      eventType: 'AwsVpceEvent',
      eventCategory: 'NetworkActivity',
      errorCode: 'VpceAccessDenied',
      errorMessage: 'The request was denied due to a VPC endpoint policy',
      vpcEndpointId: 'vpce-0abc1234def567890',
    }),
    reason:
      "denied by the policy of VPC endpoint vpce-0abc1234def567890 (errorCode VpceAccessDenied), an authorization failure; the record does not name the denied action, so it cannot be told to be iam:PassRole, and the endpoint's policy, not the caller's IAM policies, decides it",
  },
  {
    code: 'no-error-message',
    input: denialRecord({ errorMessage: undefined }),
    reason:
      'denied (AccessDeniedException) but the record has no errorMessage: the denied action is unknown (UpdateJob passes a role, so it may be an iam:PassRole denial)',
  },
  {
    code: 'not-passrole',
    input: denialRecord({
      errorMessage: `User: ${USER_ARN} is not authorized to perform: glue:UpdateJob on resource: arn:aws:glue:ap-northeast-1:${ACCOUNT}:job/x`,
    }),
    reason: 'the denied action is glue:UpdateJob, not iam:PassRole',
  },
  {
    code: 'not-passrole',
    input: ENCODED_ONLY,
    decoded: decodedAs({ action: 'ec2:AssociateIamInstanceProfile' }),
    reason:
      'the denied action is ec2:AssociateIamInstanceProfile (decoded authorization message), not iam:PassRole',
  },
  {
    code: 'error-message-cut',
    input: denialRecord({ errorMessage: `User: ${USER_ARN} is not authorized to perf...` }),
    reason:
      "errorMessage cut at CloudTrail's 1 KB limit before naming the denied action (UpdateJob passes a role, so it may be an iam:PassRole denial)",
  },
  {
    code: 'action-not-named',
    input: denialRecord({
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      errorMessage: 'Access Denied',
    }),
    reason: "errorMessage does not name the denied action: 'Access Denied'",
  },
  {
    code: 'encoded-message-cut',
    input: passRoleFixture('14-ec2-RunInstances-encoded-only-cut-at-1KB'),
    reason:
      "encoded authorization message cut at CloudTrail's 1 KB limit: it cannot be decoded, so the denied action is unknown",
  },
  {
    code: 'encoded-message-not-decoded',
    input: ENCODED_ONLY,
    reason:
      'encoded authorization message not decoded: decode it with sts:DecodeAuthorizationMessage to learn the denied action',
  },
  {
    code: 'decoded-message-unreadable',
    input: ENCODED_ONLY,
    decoded: new Map([[blob, 'not json']]),
    reason: 'the decoded authorization message is not the JSON sts:DecodeAuthorizationMessage returns',
  },
  {
    code: 'decoded-message-names-no-action',
    input: ENCODED_ONLY,
    decoded: decodedAs({ resource: `arn:aws:iam::${ACCOUNT}:role/x` }),
    reason: 'the decoded authorization message names no action',
  },
];

function read({ input, decoded }: Case): ReadOutcome {
  return only(readDenials(input, 'in.json', decoded === undefined ? {} : { decodedMessages: decoded }));
}

describe('readDenials: not-applicable codes', () => {
  it.each(CASES.map((c) => [c.code, c.reason, c] as const))('%s: %s', (code, reason, c) => {
    expect(read(c)).toMatchObject({ kind: 'not-applicable', code, reason });
  });

  it('has a record for every code', () => {
    expect([...new Set(CASES.map((c) => c.code))].sort()).toEqual([...NOT_APPLICABLE_CODES].sort());
  });

  it('names the code of a record CloudTrail wrote through EventBridge, at its detail', () => {
    const outcome = only(
      readDenials(
        {
          'detail-type': 'AWS API Call via CloudTrail',
          source: 'aws.s3',
          detail: denialRecord({ errorCode: undefined }),
        },
        'in.json',
      ),
    );
    expect(outcome).toMatchObject({
      kind: 'not-applicable',
      code: 'not-an-error',
      eventId: EVENT_ID,
      where: 'in.json: detail',
    });
  });
});

describe('readDenials: VpceAccessDenied is an authorization failure', () => {
  it('reads a VpceAccessDenied record whose message names iam:PassRole as the denial it is', () => {
    const outcome = only(readDenials(denialRecord({ errorCode: 'VpceAccessDenied' }), 'in.json'));
    expect(outcome.kind).toBe('denial');
    // One of AWS's authorization failure codes: no note that the code is unusual.
    expect(outcome.kind === 'denial' ? outcome.denial.notes.join(' ') : '').not.toContain('usual');
  });

  it('says a VPC endpoint policy denied it even without the endpoint ID', () => {
    const outcome = only(
      readDenials(
        denialRecord({
          errorCode: 'VpceAccessDenied',
          errorMessage: 'The request was denied due to a VPC endpoint policy',
        }),
        'in.json',
      ),
    );
    expect(outcome).toMatchObject({
      code: 'vpc-endpoint-policy',
      reason: expect.stringMatching(
        /^denied by a VPC endpoint policy \(errorCode VpceAccessDenied\), an authorization failure;/,
      ),
    });
  });
});
