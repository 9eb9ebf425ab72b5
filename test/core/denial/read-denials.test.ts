import { join } from 'node:path';
import { encodedAuthorizationMessages, readDenials } from '../../../lambda/core/denial';
import {
  ACCOUNT,
  USER_ARN,
  codeOf,
  decodedMessageFixture,
  denialOf,
  denialRecord,
  loadJson,
  only,
  passRoleFixture,
  passRoleMessage,
  reasonOf,
} from './helpers';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const read = (record: unknown, decoded?: Map<string, string>) =>
  only(readDenials(record, 'denial.json', decoded === undefined ? undefined : { decodedMessages: decoded }));
const readDenial = (record: unknown, decoded?: Map<string, string>) => denialOf(read(record, decoded));

describe('readDenials: input shapes', () => {
  it('reads a raw record as one outcome located at `where`', () => {
    const outcome = read(denialRecord());
    expect(outcome.where).toBe('denial.json');
    expect(denialOf(outcome).roleArn).toBe(ROLE);
  });

  it('reads the record inside an EventBridge envelope and locates it at detail', () => {
    const outcomes = readDenials(
      passRoleFixture('22-eventbridge-envelope-lambda-UpdateFunctionConfiguration'),
      'event.json',
    );
    const outcome = only(outcomes);
    expect(outcome.where).toBe('event.json: detail');
    expect(denialOf(outcome)).toMatchObject({
      deniedAction: 'lambda:UpdateFunctionConfiguration',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-api-handler-v3`,
      messageCause: {
        policyType: 'identity',
        explicit: true,
        policyArn: `arn:aws:iam::${ACCOUNT}:policy/DenyPassRoleOutsideCi`,
      },
    });
  });

  it('reads each record of a log file as its own outcome', () => {
    const outcomes = readDenials(passRoleFixture('21-log-file-several-records'), 'trail.json');
    expect(outcomes.map((outcome) => [outcome.kind, outcome.where])).toEqual([
      ['denial', 'trail.json: Records[0]'],
      ['not-applicable', 'trail.json: Records[1]'],
      ['not-applicable', 'trail.json: Records[2]'],
      ['denial', 'trail.json: Records[3]'],
    ]);
    const [, success, otherAction, crawler] = outcomes;
    if (success === undefined || otherAction === undefined || crawler === undefined)
      throw new Error('4 outcomes');
    expect(codeOf(success)).toBe('not-an-error');
    expect(reasonOf(otherAction, 'not-applicable')).toBe(
      'the denied action is s3:PutObject, not iam:PassRole',
    );
    // CreateCrawler's role given by name becomes an ARN in the caller's account.
    expect(denialOf(crawler).roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/AWSGlueServiceRole-orders`);
  });

  it('locates records without a prefix when `where` is empty', () => {
    expect(readDenials({ Records: [denialRecord()] }, '')[0]?.where).toBe('Records[0]');
  });

  it('reads an empty log file as no outcome', () => {
    expect(readDenials({ Records: [] }, 'empty.json')).toEqual([]);
  });

  it('says an EventBridge event of another type is not applicable', () => {
    const outcome = read({
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: {},
    });
    expect(codeOf(outcome)).toBe('not-an-api-call-event');
  });
});

describe('readDenials: invalid input', () => {
  it.each<[string, unknown, RegExp]>([
    ['null', null, /got null/],
    ['a number', 42, /got a number/],
    ['a string', '{"eventSource": "glue.amazonaws.com"}', /got a string/],
    ['an array of numbers', [1, 2, 3], /got an array/],
    ['an empty object', {}, /none of eventSource, eventName and userIdentity/],
    [
      'Records that is not an array',
      { Records: { eventSource: 'x' } },
      /Records is an object, expected an array/,
    ],
    ['a log record that is a number', { Records: [7] }, /got a number/],
    ['an envelope without detail', { 'detail-type': 'AWS API Call via CloudTrail' }, /detail is missing/],
    ['an envelope with a numeric detail-type', { 'detail-type': 3, detail: {} }, /detail-type is a number/],
    [
      'eventSource of the wrong type',
      denialRecord({ eventSource: 5 }),
      /eventSource is a number, expected a string/,
    ],
    ['an empty eventName', denialRecord({ eventName: ' ' }), /eventName is empty/],
    ['no eventName', denialRecord({ eventName: undefined }), /eventName is missing/],
    ['no userIdentity', denialRecord({ userIdentity: undefined }), /userIdentity is missing/],
    [
      'userIdentity a string',
      denialRecord({ userIdentity: 'mei' }),
      /userIdentity is a string, expected an object/,
    ],
    ['errorCode a number', denialRecord({ errorCode: 403 }), /errorCode is a number/],
    ['errorMessage an object', denialRecord({ errorMessage: {} }), /errorMessage is an object/],
    ['requestParameters a string', denialRecord({ requestParameters: 'x' }), /requestParameters is a string/],
    [
      'userIdentity.arn an array',
      denialRecord({ userIdentity: { type: 'IAMUser', arn: [] } }),
      /userIdentity.arn is an array/,
    ],
  ])('%s is invalid, with a one-line reason', (_label, input, reason) => {
    const outcome = only(readDenials(input, 'input.json'));
    expect(reasonOf(outcome, 'invalid')).toMatch(reason);
    expect(reasonOf(outcome, 'invalid')).not.toMatch(/\n/);
    expect(outcome.where.startsWith('input.json')).toBe(true);
  });

  it('says where in a log file the invalid record is', () => {
    const outcomes = readDenials({ Records: [denialRecord(), { eventName: 'x' }] }, 'trail.json');
    expect(outcomes[1]).toEqual({
      kind: 'invalid',
      reason: 'not a CloudTrail record: eventSource is missing',
      where: 'trail.json: Records[1]',
    });
  });

  it('refuses a PassRole denial it cannot identify or place', () => {
    expect(reasonOf(read(denialRecord({ eventID: undefined })), 'invalid')).toMatch(/without eventID/);
    expect(reasonOf(read(denialRecord({ awsRegion: null })), 'invalid')).toMatch(/without awsRegion/);
    const noAccount = denialRecord({
      recipientAccountId: undefined,
      userIdentity: { type: 'Unknown' },
      errorMessage: 'Cross-account pass role is not allowed.',
    });
    expect(reasonOf(read(noAccount), 'invalid')).toMatch(/account is unknown/);
  });
});

describe('readDenials: what is not an iam:PassRole denial', () => {
  it('a successful call', () => {
    const outcome = read(denialRecord({ errorCode: undefined, errorMessage: undefined }));
    expect(outcome).toEqual({
      kind: 'not-applicable',
      code: 'not-an-error',
      eventId: '0c5d3e7a-9b1f-4f6e-8a2d-3c4b5a6e7f80',
      reason: 'the call succeeded: the record has no errorCode',
      where: 'denial.json',
    });
  });

  it('a CloudTrail Insights event', () => {
    const insight = {
      eventVersion: '1.08',
      eventTime: '2026-06-17T02:00:00Z',
      awsRegion: 'us-east-1',
      eventID: 'e1',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: ACCOUNT,
      sharedEventID: 's1',
      insightDetails: { state: 'Start', eventSource: 'iam.amazonaws.com', eventName: 'PassRole' },
      eventCategory: 'Insight',
    };
    expect(read(insight)).toEqual({
      kind: 'not-applicable',
      code: 'insights-event',
      eventId: 'e1',
      reason: 'a CloudTrail Insights event, not an API call',
      where: 'denial.json',
    });
  });

  it('a failure that is not about authorization', () => {
    const outcome = read(denialRecord({ errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }));
    expect(reasonOf(outcome, 'not-applicable')).toBe(
      'errorCode ThrottlingException is not an authorization failure',
    );
  });

  it('another action denied', () => {
    const message = `User: ${USER_ARN} is not authorized to perform: glue:UpdateJob on resource: arn:aws:glue:ap-northeast-1:${ACCOUNT}:job/x because no identity-based policy allows the glue:UpdateJob action`;
    expect(reasonOf(read(denialRecord({ errorMessage: message })), 'not-applicable')).toBe(
      'the denied action is glue:UpdateJob, not iam:PassRole',
    );
  });

  it('a denial whose message names no action, with a hint when the API passes roles', () => {
    const s3 = denialRecord({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketReplication',
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
    });
    expect(reasonOf(read(s3), 'not-applicable')).toBe(
      "errorMessage does not name the denied action: 'Access Denied' (PutBucketReplication passes a role, so it may be an iam:PassRole denial)",
    );
    const bucket = { ...s3, eventName: 'CreateBucket' };
    expect(reasonOf(read(bucket), 'not-applicable')).toBe(
      "errorMessage does not name the denied action: 'Access Denied'",
    );
  });

  it('a denial without errorMessage', () => {
    expect(codeOf(read(denialRecord({ errorMessage: undefined })))).toBe('no-error-message');
  });

  it('a message cut before it names the action', () => {
    const message = `User: ${USER_ARN} is not authorized to perf...`;
    expect(codeOf(read(denialRecord({ errorMessage: message })))).toBe('error-message-cut');
  });

  it("EC2's encoded-only message, not decoded", () => {
    const record = passRoleFixture('05-ec2-AssociateIamInstanceProfile-encoded-only');
    expect(codeOf(read(record))).toBe('encoded-message-not-decoded');
  });

  it("EC2's encoded-only message cut at 1 KB: a distinct reason, since decoding cannot help", () => {
    const record = passRoleFixture('14-ec2-RunInstances-encoded-only-cut-at-1KB');
    expect(codeOf(read(record))).toBe('encoded-message-cut');
  });

  it('an encoded message that decodes to another action, or to something that is not a decoded message', () => {
    const record = passRoleFixture('05-ec2-AssociateIamInstanceProfile-encoded-only');
    const { blob } = decodedMessageFixture('05');
    const other = JSON.stringify({
      allowed: false,
      explicitDeny: false,
      context: { action: 'ec2:AssociateIamInstanceProfile' },
    });
    expect(reasonOf(read(record, new Map([[blob, other]])), 'not-applicable')).toBe(
      'the denied action is ec2:AssociateIamInstanceProfile (decoded authorization message), not iam:PassRole',
    );
    expect(codeOf(read(record, new Map([[blob, 'not json']])))).toBe('decoded-message-unreadable');
  });
});

describe('readDenials: error codes', () => {
  it.each(['AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation'])(
    '%s with a PassRole message is a denial',
    (errorCode) => {
      expect(readDenial(denialRecord({ errorCode })).notes).toEqual([]);
    },
  );

  it('reads another code as a denial, with a note, when the message is a PassRole denial', () => {
    const denial = readDenial(denialRecord({ errorCode: 'ClientException' }));
    expect(denial.roleArn).toBe(ROLE);
    expect(denial.notes).toContain(
      "errorCode ClientException is not one of AWS's usual authorization failure codes; read as an iam:PassRole denial because errorMessage says so",
    );
  });
});

describe('readDenials: the synthetic PassRole fixtures', () => {
  it('01: the seed scenario with an implicit deny and MFA present', () => {
    const denial = denialOf(
      only(readDenials(passRoleFixture('01-glue-UpdateJob-no-identity-based-policy-IAMUser-mfa'), 'f')),
    );
    expect(denial).toMatchObject({
      eventId: expect.any(String),
      eventTime: '2026-06-17T02:04:37Z',
      account: ACCOUNT,
      region: 'ap-northeast-1',
      eventSource: 'glue.amazonaws.com',
      eventName: 'UpdateJob',
      deniedAction: 'glue:UpdateJob',
      principalArn: USER_ARN,
      principalType: 'user',
      policySourceArn: USER_ARN,
      permissionSetName: null,
      roleArn: ROLE,
      passedToService: 'glue.amazonaws.com',
      messageCause: { policyType: 'identity', explicit: false, policyArn: null },
      notes: [],
    });
    expect(denial.context).toEqual({
      'aws:MultiFactorAuthPresent': 'true',
      'aws:SourceIp': '198.51.100.24',
      'aws:RequestedRegion': 'ap-northeast-1',
      'aws:CurrentTime': '2026-06-17T02:04:37Z',
      'aws:PrincipalArn': USER_ARN,
    });
  });

  it("the seed example's explicit deny in an identity-based policy, MFA absent", () => {
    const seed = loadJson(join(__dirname, '..', '..', '..', 'examples', 'seed', 'denial.json'));
    const denial = readDenial(seed);
    expect(denial.messageCause).toEqual({ policyType: 'identity', explicit: true, policyArn: null });
    expect(denial.context['aws:MultiFactorAuthPresent']).toBe('false');
    expect(denial.roleArn).toBe(ROLE);
  });

  it('02: Lambda CreateFunction20150331 by an assumed role with a path, passing a service-role/ role', () => {
    const denial = readDenial(
      passRoleFixture('02-lambda-CreateFunction20150331-AssumedRole-service-role-path'),
    );
    expect(denial).toMatchObject({
      deniedAction: 'lambda:CreateFunction',
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy-pipeline/gh-actions-8812`,
      principalType: 'role',
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy-pipeline`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/orders-api-handler-role`,
      passedToService: 'lambda.amazonaws.com',
    });
    expect(denial.context['aws:PrincipalArn']).toBe(`arn:aws:iam::${ACCOUNT}:role/ci/deploy-pipeline`);
  });

  it('03: ECS RegisterTaskDefinition: the message says which of the two roles, passed to ecs-tasks', () => {
    const denial = readDenial(passRoleFixture('03-ecs-RegisterTaskDefinition-AssumedRole-two-roles'));
    expect(denial).toMatchObject({
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
      passedToService: 'ecs-tasks.amazonaws.com',
    });
  });

  it('04: EC2 RunInstances, plain and encoded: the plain part suffices; decoding adds iam:PassedToService', () => {
    const record = passRoleFixture('04-ec2-RunInstances-Client.UnauthorizedOperation-plain-and-encoded');
    const plain = readDenial(record);
    expect(plain).toMatchObject({
      deniedAction: 'ec2:RunInstances',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/web-tier-instance`,
      passedToService: 'ec2.amazonaws.com',
      messageCause: { policyType: 'identity', explicit: false, policyArn: null },
    });
    expect(plain.notes).toContain('encoded authorization message not decoded');
    const { blob, decodedMessage } = decodedMessageFixture('04');
    const decoded = readDenial(record, new Map([[blob, decodedMessage]]));
    expect(decoded.passedToService).toBe('ec2.amazonaws.com');
    expect(decoded.notes).toContain('iam:PassedToService taken from the decoded authorization message');
    expect(decoded.notes).not.toContain('encoded authorization message not decoded');
  });

  it('05: EC2 encoded-only: the decoded message names the role, the service and the explicit deny', () => {
    const { blob, decodedMessage } = decodedMessageFixture('05');
    const denial = readDenial(
      passRoleFixture('05-ec2-AssociateIamInstanceProfile-encoded-only'),
      new Map([[blob, decodedMessage]]),
    );
    expect(denial).toMatchObject({
      deniedAction: 'ec2:AssociateIamInstanceProfile',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/batch-workers-role`,
      passedToService: 'ec2.amazonaws.com',
      messageCause: { policyType: null, explicit: true, policyArn: null },
    });
    expect(denial.notes).toContain('role named by the decoded authorization message');
  });

  it('06: an IAM Identity Center session: sso-role with its permission set and role path', () => {
    const denial = readDenial(passRoleFixture('06-states-CreateStateMachine-IdentityCenter-AWSReservedSSO'));
    const ssoRole = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_DataEngineer_3f2a9c1b7d4e8a60`;
    expect(denial).toMatchObject({
      principalType: 'sso-role',
      permissionSetName: 'DataEngineer',
      policySourceArn: ssoRole,
      passedToService: 'states.amazonaws.com',
    });
    expect(denial.context['aws:PrincipalArn']).toBe(ssoRole);
  });

  it('07: a service-linked role launching instances, with the encoded part cut at 1 KB', () => {
    const denial = readDenial(passRoleFixture('07-ec2-RunInstances-service-linked-role-autoscaling'));
    expect(denial).toMatchObject({
      principalType: 'service-linked-role',
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/app-fleet-instance`,
      passedToService: 'ec2.amazonaws.com',
    });
    expect(denial.notes).toEqual(
      expect.arrayContaining([
        "errorMessage cut at CloudTrail's 1 KB limit (it ends with '...')",
        'encoded authorization message cut at 1 KB: it cannot be decoded',
        "the call was made on the caller's behalf by autoscaling.amazonaws.com (userIdentity.invokedBy)",
      ]),
    );
    expect(denial.context['aws:SourceIp']).toBeUndefined();
  });

  it('08: the root user, denied by an SCP', () => {
    const denial = readDenial(passRoleFixture('08-cloudformation-CreateStack-Root-scp'));
    expect(denial).toMatchObject({
      principalArn: `arn:aws:iam::${ACCOUNT}:root`,
      principalType: 'root',
      policySourceArn: null,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/cfn-deployer`,
      passedToService: 'cloudformation.amazonaws.com',
      messageCause: { policyType: 'scp', explicit: true, policyArn: null },
    });
    expect(denial.context['aws:PrincipalArn']).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    expect(denial.context['aws:SourceIp']).toBe('2001:db8:85a3::8a2e:370:7334');
  });

  it("09: a federated user: the issuing IAM user's policies apply", () => {
    const denial = readDenial(passRoleFixture('09-codebuild-CreateProject-FederatedUser'));
    expect(denial).toMatchObject({
      principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/build-bot`,
      principalType: 'federated',
      policySourceArn: `arn:aws:iam::${ACCOUNT}:user/automation/token-broker`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-orders-service-role`,
      passedToService: 'codebuild.amazonaws.com',
    });
  });

  it("10: a role of another account ('Cross-account pass role is not allowed.')", () => {
    const denial = readDenial(passRoleFixture('10-lambda-CreateFunction20150331-cross-account-role'));
    expect(denial.roleArn).toBe('arn:aws:iam::210987654321:role/shared-lambda-exec');
    expect(denial.messageCause).toEqual({
      policyType: null,
      explicit: null,
      policyArn: null,
      crossAccount: true,
    });
    expect(denial.notes).toEqual(
      expect.arrayContaining([
        'errorMessage names no role: taken from requestParameters.role',
        'the role is in account 210987654321, the caller in 123456789012: AWS never lets a principal pass a role of another account',
      ]),
    );
    // A long-term access key: CloudTrail does not say whether MFA was used, so the key stays out.
    expect(denial.context['aws:MultiFactorAuthPresent']).toBeUndefined();
  });

  it("'Cross-account pass role is not allowed.' with the role hidden: the message's cause still says so", () => {
    const outcome = read(
      denialRecord({
        errorMessage: 'Cross-account pass role is not allowed.',
        requestParameters: {
          jobName: 'nightly-orders-etl',
          jobUpdate: { role: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
        },
      }),
    );
    expect(outcome).toMatchObject({
      kind: 'denial',
      denial: { roleArn: null, messageCause: { explicit: null, crossAccount: true } },
    });
  });

  it('any other message leaves the cross-account mark out of the cause', () => {
    expect(read(denialRecord({}))).toMatchObject({ kind: 'denial' });
    const outcome = read(denialRecord({}));
    expect(outcome.kind === 'denial' && 'crossAccount' in outcome.denial.messageCause).toBe(false);
  });

  it('11: an explicit deny in an SCP, with its ARN', () => {
    const denial = readDenial(passRoleFixture('11-sagemaker-CreateTrainingJob-explicit-deny-scp-with-arn'));
    expect(denial.messageCause).toEqual({
      policyType: 'scp',
      explicit: true,
      policyArn:
        'arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-deny-passrole',
    });
    expect(denial.passedToService).toBe('sagemaker.amazonaws.com');
  });

  it('12: a permissions boundary', () => {
    const denial = readDenial(passRoleFixture('12-codepipeline-CreatePipeline-permissions-boundary'));
    expect(denial.messageCause).toEqual({ policyType: 'boundary', explicit: false, policyArn: null });
    expect(denial.roleArn).toBe(
      `arn:aws:iam::${ACCOUNT}:role/service-role/AWSCodePipelineServiceRole-us-east-1-orders`,
    );
    expect(denial.passedToService).toBe('codepipeline.amazonaws.com');
  });

  it('13: a message cut at 1 KB inside the role: the full role comes from requestParameters', () => {
    const record = passRoleFixture('13-glue-CreateJob-message-cut-at-1KB-inside-role');
    const denial = readDenial(record);
    expect(denial.roleArn).toMatch(
      /^arn:aws:iam::123456789012:role\/data-platform\/.*\/glue-orders-nightly-runtime-role$/,
    );
    expect(denial.messageCause).toEqual({ policyType: null, explicit: null, policyArn: null });
    expect(denial.notes).toEqual(
      expect.arrayContaining([
        "errorMessage cut at CloudTrail's 1 KB limit (it ends with '...')",
        "errorMessage cut before the denying policy's type or ARN",
        'role taken from requestParameters.role, which begins like the cut role',
      ]),
    );
  });

  it('13: a cut role that no request parameter completes stays unknown', () => {
    const record = passRoleFixture('13-glue-CreateJob-message-cut-at-1KB-inside-role');
    const changed = { ...(record as Record<string, unknown>), requestParameters: { name: 'x', role: ROLE } };
    const denial = readDenial(changed);
    expect(denial.roleArn).toBeNull();
    expect(denial.notes).toContain(
      'no role in requestParameters begins like the cut role: the passed role is unknown',
    );
  });

  it('15 and 16: short resources expand in the caller’s partition and account', () => {
    const slash = readDenial(passRoleFixture('15-scheduler-CreateSchedule-short-resource-role-slash'));
    expect(slash.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/scheduler-invoke-reports`);
    expect(slash.passedToService).toBe('scheduler.amazonaws.com');
    const space = readDenial(passRoleFixture('16-pipes-CreatePipe-short-resource-role-space'));
    expect(space.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/pipes-orders-to-sfn`);
    expect(space.passedToService).toBe('pipes.amazonaws.com');
  });

  it('17: no resource in the message: the role comes from the request', () => {
    const denial = readDenial(passRoleFixture('17-events-PutTargets-no-resource-role-from-parameters'));
    expect(denial.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/events-start-orders`);
    expect(denial.passedToService).toBe('events.amazonaws.com');
    expect(denial.notes).toContain(
      'errorMessage names no role: taken from requestParameters.targets[].roleArn',
    );
  });

  it('18: no resource and several roles in the request: the role stays unknown, and the note lists them', () => {
    const denial = readDenial(passRoleFixture('18-elasticmapreduce-RunJobFlow-no-resource-several-roles'));
    expect(denial.roleArn).toBeNull();
    expect(denial.notes.join('\n')).toMatch(
      /several roles \(serviceRole=.*EMR_DefaultRole_V2, autoScalingRole=/,
    );
  });

  it("19: EMR's EC2 role is passed to ec2.amazonaws.com (it came through jobFlowRole)", () => {
    const denial = readDenial(passRoleFixture('19-elasticmapreduce-RunJobFlow-ec2-role-via-jobFlowRole'));
    expect(denial.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/EMR_EC2_DefaultRole`);
    expect(denial.passedToService).toBe('ec2.amazonaws.com');
  });

  it('20: requestParameters null and no sessionIssuer: role rebuilt from the session ARN', () => {
    const denial = readDenial(
      passRoleFixture('20-batch-CreateComputeEnvironment-requestParameters-null-no-sessionIssuer'),
    );
    expect(denial).toMatchObject({
      principalType: 'role',
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/batch-operator`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-batch-service-role`,
      messageCause: { policyType: 'boundary', explicit: true, policyArn: null },
    });
    expect(denial.notes).toEqual(
      expect.arrayContaining([
        'requestParameters is null',
        expect.stringMatching(
          /sessionIssuer is missing: role ARN .*batch-operator rebuilt .*path is unknown/,
        ),
      ]),
    );
  });
});

describe('readDenials: principals', () => {
  const sessionIdentity = (roleArn: string | null, stsArn: string) => ({
    type: 'AssumedRole',
    arn: stsArn,
    accountId: ACCOUNT,
    sessionContext: {
      ...(roleArn === null ? {} : { sessionIssuer: { type: 'Role', arn: roleArn, accountId: ACCOUNT } }),
      attributes: { mfaAuthenticated: 'false' },
    },
  });

  it('parses a permission set name that contains underscores', () => {
    const name = 'AWSReservedSSO_Data_Platform_Admin_0123456789abcdef';
    const denial = readDenial(
      denialRecord({
        userIdentity: sessionIdentity(
          `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${name}`,
          `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/someone@example.com`,
        ),
      }),
    );
    expect(denial).toMatchObject({ principalType: 'sso-role', permissionSetName: 'Data_Platform_Admin' });
  });

  it('reads an Identity Center role by its path even when its name is not AWSReservedSSO_*', () => {
    const denial = readDenial(
      denialRecord({
        userIdentity: sessionIdentity(
          `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/us-west-2/SampleRole`,
          `arn:aws:sts::${ACCOUNT}:assumed-role/SampleRole/bob`,
        ),
      }),
    );
    expect(denial).toMatchObject({ principalType: 'sso-role', permissionSetName: null });
    expect(denial.notes.join('\n')).toMatch(/permission set unknown/);
  });

  it('rebuilds an SSO role from the session ARN when sessionIssuer is missing', () => {
    const name = 'AWSReservedSSO_ReadOnly_0123456789abcdef';
    const denial = readDenial(
      denialRecord({
        userIdentity: sessionIdentity(null, `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/ann`),
      }),
    );
    expect(denial).toMatchObject({
      principalType: 'sso-role',
      permissionSetName: 'ReadOnly',
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    });
  });

  it('reads a federated user without an IAM user issuer as having no policy source', () => {
    const denial = readDenial(
      denialRecord({
        userIdentity: {
          type: 'FederatedUser',
          arn: `arn:aws:sts::${ACCOUNT}:federated-user/bot`,
          accountId: ACCOUNT,
        },
      }),
    );
    expect(denial).toMatchObject({ principalType: 'federated', policySourceArn: null });
  });

  it('reads other identity types as unknown', () => {
    const denial = readDenial(
      denialRecord({
        userIdentity: { type: 'AWSService', invokedBy: 'glue.amazonaws.com', accountId: ACCOUNT },
      }),
    );
    expect(denial).toMatchObject({ principalType: 'unknown', policySourceArn: null });
    expect(denial.principalArn).toBe(USER_ARN);
    expect(denial.context['aws:PrincipalArn']).toBeUndefined();
  });

  it('takes the caller from the message when userIdentity has no ARN', () => {
    const denial = readDenial(denialRecord({ userIdentity: { type: 'IAMUser', accountId: ACCOUNT } }));
    expect(denial).toMatchObject({
      principalArn: USER_ARN,
      principalType: 'user',
      policySourceArn: USER_ARN,
    });
    expect(denial.notes.join('\n')).toMatch(/taken from errorMessage/);
  });
});

describe('readDenials: request context', () => {
  const identityWithMfa = (mfa: unknown) => ({
    type: 'IAMUser',
    arn: USER_ARN,
    accountId: ACCOUNT,
    sessionContext: { attributes: { mfaAuthenticated: mfa } },
  });

  it.each<[unknown, string | undefined]>([
    ['true', 'true'],
    ['false', 'false'],
    [true, 'true'],
    ['maybe', undefined],
  ])('mfaAuthenticated %p -> aws:MultiFactorAuthPresent %p', (mfa, expected) => {
    expect(
      readDenial(denialRecord({ userIdentity: identityWithMfa(mfa) })).context['aws:MultiFactorAuthPresent'],
    ).toBe(expected);
  });

  it.each<[string, string | undefined]>([
    ['203.0.113.5', '203.0.113.5'],
    ['2001:db8::1', '2001:db8::1'],
    ['AWS Internal', undefined],
    ['glue.amazonaws.com', undefined],
  ])('sourceIPAddress %s -> aws:SourceIp %p', (sourceIPAddress, expected) => {
    expect(readDenial(denialRecord({ sourceIPAddress })).context['aws:SourceIp']).toBe(expected);
  });

  it('writes eventTime from log tools in ISO form, and leaves out a time it cannot read', () => {
    expect(
      readDenial(denialRecord({ eventTime: '2024-12-11 21:49:07.000000000' })).context['aws:CurrentTime'],
    ).toBe('2024-12-11T21:49:07Z');
    const garbled = readDenial(denialRecord({ eventTime: 'yesterday' }));
    expect(garbled.context['aws:CurrentTime']).toBeUndefined();
    expect(garbled.eventTime).toBe('yesterday');
  });

  it('never puts iam:PassedToService in the context (the engine adds it)', () => {
    for (const name of [
      '04-ec2-RunInstances-Client.UnauthorizedOperation-plain-and-encoded',
      '06-states-CreateStateMachine-IdentityCenter-AWSReservedSSO',
    ]) {
      const { blob, decodedMessage } = decodedMessageFixture('04');
      const denial = readDenial(passRoleFixture(name), new Map([[blob, decodedMessage]]));
      expect(Object.keys(denial.context)).not.toContain('iam:PassedToService');
    }
  });

  it('uses recipientAccountId for the account, else the caller’s account', () => {
    expect(readDenial(denialRecord({ recipientAccountId: '111122223333' })).account).toBe('111122223333');
    expect(readDenial(denialRecord({ recipientAccountId: undefined })).account).toBe(ACCOUNT);
  });
});

describe('readDenials: the passed role', () => {
  it('expands a role given by name, with its path, in the caller’s partition', () => {
    const record = denialRecord({
      awsRegion: 'cn-north-1',
      userIdentity: { type: 'IAMUser', arn: `arn:aws-cn:iam::${ACCOUNT}:user/li`, accountId: ACCOUNT },
      errorMessage: `User: arn:aws-cn:iam::${ACCOUNT}:user/li is not authorized to perform: iam:PassRole because no identity-based policy allows the iam:PassRole action`,
      requestParameters: { jobName: 'x', jobUpdate: { role: 'service-role/AWSGlueServiceRole-x' } },
    });
    const denial = readDenial(record);
    expect(denial.roleArn).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/service-role/AWSGlueServiceRole-x`);
    expect(denial.notes).toContain('in China regions iam:PassedToService may end in .amazonaws.com.cn');
  });

  it('keeps a role of another account named in the message, and notes it', () => {
    const other = 'arn:aws:iam::210987654321:role/shared';
    const denial = readDenial(
      denialRecord({
        errorMessage: passRoleMessage(
          other,
          'because no identity-based policy allows the iam:PassRole action',
        ),
      }),
    );
    expect(denial.roleArn).toBe(other);
    expect(denial.notes.join('\n')).toMatch(/role is in account 210987654321, the caller in 123456789012/);
  });

  it('prefers the message to the request, and notes when they differ', () => {
    const denial = readDenial(
      denialRecord({
        requestParameters: { jobName: 'x', jobUpdate: { role: `arn:aws:iam::${ACCOUNT}:role/other` } },
      }),
    );
    expect(denial.roleArn).toBe(ROLE);
    expect(denial.notes.join('\n')).toMatch(/jobUpdate.role passes arn:aws:iam::123456789012:role\/other/);
  });

  it('finds the role of an API the table does not know by scanning the request, and says the service is a guess', () => {
    const denial = readDenial(
      denialRecord({
        eventSource: 'example.amazonaws.com',
        eventName: 'CreateWidget',
        errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole.`,
        requestParameters: { widget: { settings: { executionRoleArn: ROLE } } },
      }),
    );
    expect(denial.roleArn).toBe(ROLE);
    expect(denial.passedToService).toBe('example.amazonaws.com');
    expect(denial.deniedAction).toBe('example:CreateWidget');
    expect(denial.notes).toEqual(
      expect.arrayContaining([
        'errorMessage names no role: taken from requestParameters.widget.settings.executionRoleArn found by scanning requestParameters (the API is not in the table)',
        'iam:PassedToService for example.amazonaws.com CreateWidget is unknown: guessed as the event source example.amazonaws.com',
      ]),
    );
  });

  it("says when iam:PassedToService is only the service's own for an operation the table does not list", () => {
    const denial = readDenial(denialRecord({ eventName: 'CreateIntegration' }));
    expect(denial.passedToService).toBe('glue.amazonaws.com');
    expect(denial.notes.join('\n')).toMatch(/CreateIntegration is not in the table of role-passing APIs/);
  });

  it('notes an instance profile whose role is to be looked up, and a launch template that may hold one', () => {
    const base = {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: `You are not authorized to perform this operation. User: ${USER_ARN} is not authorized to perform: iam:PassRole because no identity-based policy allows the iam:PassRole action.`,
    };
    const profile = readDenial(
      denialRecord({ ...base, requestParameters: { iamInstanceProfile: { name: 'web' } } }),
    );
    expect(profile.roleArn).toBeNull();
    expect(profile.passedToService).toBe('ec2.amazonaws.com');
    expect(profile.notes.join('\n')).toMatch(/the role passed is the one instance profile 'web' holds/);
    const template = readDenial(
      denialRecord({ ...base, requestParameters: { launchTemplate: { launchTemplateId: 'lt-0123' } } }),
    );
    expect(template.notes.join('\n')).toMatch(/launch template lt-0123 may carry the instance profile/);
  });

  it('keeps the instance profile the request passes when nothing names the role, as written', () => {
    const base = {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: `You are not authorized to perform this operation. User: ${USER_ARN} is not authorized to perform: iam:PassRole because no identity-based policy allows the iam:PassRole action.`,
    };
    const profileArn = `arn:aws:iam::${ACCOUNT}:instance-profile/web/web-tier`;
    const read = (requestParameters: unknown) => readDenial(denialRecord({ ...base, requestParameters }));
    expect(read({ iamInstanceProfile: { name: 'web-tier' } }).instanceProfile).toBe('web-tier');
    expect(read({ iamInstanceProfile: { arn: profileArn } }).instanceProfile).toBe(profileArn);
    // Both forms of the same profile: the ARN, which also says the account.
    expect(read({ iamInstanceProfile: { name: 'web-tier', arn: profileArn } }).instanceProfile).toBe(
      profileArn,
    );
    const wrapped = readDenial(
      denialRecord({
        ...base,
        eventName: 'AssociateIamInstanceProfile',
        requestParameters: {
          AssociateIamInstanceProfileRequest: { IamInstanceProfile: { Name: 'batch-workers' } },
        },
      }),
    );
    expect(wrapped).toMatchObject({ instanceProfile: 'batch-workers', passedToService: 'ec2.amazonaws.com' });
    // Two different profiles, or a value IAM would not take as one: nothing to look up.
    expect(
      read({ iamInstanceProfile: { name: 'web-tier', arn: `${profileArn}-2` } }).instanceProfile,
    ).toBeNull();
    expect(read({ iamInstanceProfile: { name: 'not a profile' } }).instanceProfile).toBeNull();
    // A message that names the role: the role is known, no profile to look up.
    const named = readDenial(
      denialRecord({
        ...base,
        errorMessage: `You are not authorized to perform this operation. User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: ${ROLE} because no identity-based policy allows the iam:PassRole action.`,
        requestParameters: { iamInstanceProfile: { name: 'web-tier' } },
      }),
    );
    expect(named).toMatchObject({ roleArn: ROLE, instanceProfile: null });
  });

  it('says when CloudTrail hid the parameter, and when the request is absent', () => {
    const hidden = readDenial(
      denialRecord({
        errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole.`,
        requestParameters: { jobName: 'x', jobUpdate: { role: 'HIDDEN_DUE_TO_SECURITY_REASONS' } },
      }),
    );
    expect(hidden.roleArn).toBeNull();
    expect(hidden.notes).toContain('requestParameters.jobUpdate.role is hidden by CloudTrail');
    const absent = readDenial(denialRecord({ requestParameters: undefined }));
    expect(absent.roleArn).toBe(ROLE);
    expect(absent.notes).toContain('requestParameters is missing');
  });

  it("notes a resource '*' and falls back to the request", () => {
    const denial = readDenial(
      denialRecord({
        errorMessage: passRoleMessage('*', 'because no identity-based policy allows the iam:PassRole action'),
      }),
    );
    expect(denial.roleArn).toBe(ROLE);
    expect(denial.notes).toContain("errorMessage names resource '*', not a role");
  });
});

describe('encodedAuthorizationMessages', () => {
  it('lists the complete blobs worth decoding, each once', () => {
    const plainAndEncoded = passRoleFixture(
      '04-ec2-RunInstances-Client.UnauthorizedOperation-plain-and-encoded',
    );
    const encodedOnly = passRoleFixture('05-ec2-AssociateIamInstanceProfile-encoded-only');
    expect(encodedAuthorizationMessages({ Records: [plainAndEncoded, encodedOnly, encodedOnly] })).toEqual([
      decodedMessageFixture('04').blob,
      decodedMessageFixture('05').blob,
    ]);
    expect(
      encodedAuthorizationMessages({
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.ec2',
        detail: encodedOnly,
      }),
    ).toEqual([decodedMessageFixture('05').blob]);
  });

  it('leaves out blobs cut at 1 KB and blobs whose plain message names another action', () => {
    expect(
      encodedAuthorizationMessages(passRoleFixture('14-ec2-RunInstances-encoded-only-cut-at-1KB')),
    ).toEqual([]);
    expect(
      encodedAuthorizationMessages(passRoleFixture('07-ec2-RunInstances-service-linked-role-autoscaling')),
    ).toEqual([]);
    const describe03 = loadJson(
      join(__dirname, '..', '..', 'fixtures', 'cloudtrail', 'real'),
      '03-ec2-DescribeInstanceAttribute-Client.UnauthorizedOperation-full-encoded-msg-AssumedRole-panther.json',
    );
    expect(encodedAuthorizationMessages(describe03)).toEqual([]);
  });

  it('returns nothing for input that is not CloudTrail', () => {
    expect(encodedAuthorizationMessages(null)).toEqual([]);
    expect(encodedAuthorizationMessages('Encoded authorization failure message: abc')).toEqual([]);
  });
});
