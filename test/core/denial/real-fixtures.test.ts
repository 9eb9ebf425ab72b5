/** The published CloudTrail records: none is an iam:PassRole denial, and each must say why, without error. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodedAuthorizationMessages, readDenials } from '../../../lambda/core/denial';
import { FIXTURES, loadJson, only, reasonOf } from './helpers';

const REAL = join(FIXTURES, 'real');

const expectedReasons: Record<string, string> = {
  '01-ec2-RunInstances-Client.UnauthorizedOperation-AssumedRole-stratus.json':
    'the denied action is ec2:RunInstances, not iam:PassRole',
  '02-sts-AssumeRole-AccessDenied-IAMUser-stratus.json':
    'the denied action is sts:AssumeRole, not iam:PassRole',
  '03-ec2-DescribeInstanceAttribute-Client.UnauthorizedOperation-full-encoded-msg-AssumedRole-panther.json':
    'the denied action is ec2:DescribeInstanceAttribute, not iam:PassRole',
  '04-organizations-LeaveOrganization-AccessDenied-no-identity-based-policy-AssumedRole-panther.json':
    'the denied action is organizations:LeaveOrganization, not iam:PassRole',
  '05-lambda-ListFunctions-AccessDenied-IAMUser-panther.json':
    'the denied action is lambda:ListFunctions, not iam:PassRole',
  '06-ec2-instance-connect-SendSSHPublicKey-AccessDenied-AssumedRole-panther.json':
    'the denied action is ec2-instance-connect:SendSSHPublicKey, not iam:PassRole',
  '07-s3-CreateBucket-AccessDenied-IdentityCenter-AWSReservedSSO-pyCloudTrailProcesser.json':
    "errorMessage does not name the denied action: 'Access Denied'",
};

describe('published CloudTrail records', () => {
  it('are all covered here', () => {
    expect(
      readdirSync(REAL)
        .filter((file) => file.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(expectedReasons).sort());
  });

  it.each(Object.entries(expectedReasons))('%s is not applicable: %s', (file, reason) => {
    const record = loadJson(REAL, file);
    const outcome = only(readDenials(record, file));
    expect(reasonOf(outcome, 'not-applicable')).toBe(reason);
    expect(outcome).toMatchObject({ where: file, eventId: (record as { eventID: string }).eventID });
  });

  it('read as one log file, give one outcome each, in order', () => {
    const files = Object.keys(expectedReasons);
    const outcomes = readDenials({ Records: files.map((file) => loadJson(REAL, file)) }, 'real.json');
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(files.map(() => 'not-applicable'));
  });

  it('offer no blob to decode: their plain messages already name the denied action', () => {
    const files = Object.keys(expectedReasons);
    expect(encodedAuthorizationMessages({ Records: files.map((file) => loadJson(REAL, file)) })).toEqual([]);
  });
});
