import {
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  NoSuchEntityException,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  ServiceFailureException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { IamPolicyWriter } from '../../../lambda/adapters/aws/iam-policy-writer';
import { AwsCallError, InvalidInputError, TransientAwsError } from '../../../lambda/core/errors';
import type { ProposalTarget } from '../../../lambda/core/model';
import { SEED_PROPOSAL } from '../support/proposal-records';

const iamMock = mockClient(IAMClient);
const writer = () => new IamPolicyWriter(new IAMClient({ region: 'us-east-1', maxAttempts: 1 }));
const DOCUMENT = SEED_PROPOSAL.document;
const POLICY = 'AllowPassEtlNightlyRuntimeToGlue';
const group: ProposalTarget = SEED_PROPOSAL.target;
const user: ProposalTarget = {
  type: 'user',
  name: 'mei.tanaka',
  arn: 'arn:aws:iam::123456789012:user/mei.tanaka',
  memberCount: 1,
};
const role: ProposalTarget = {
  type: 'role',
  name: 'deployer',
  arn: 'arn:aws:iam::123456789012:role/deployer',
  memberCount: null,
};
const permissionSet: ProposalTarget = {
  type: 'permission-set',
  name: 'DataEngineer',
  arn: null,
  memberCount: null,
};

/** RFC 3986 encoding, as IAM's API answers documents. */
const urlEncoded = (value: unknown) => encodeURIComponent(JSON.stringify(value, null, 2));

beforeEach(() => iamMock.reset());

describe('IamPolicyWriter.putInlinePolicy', () => {
  it('puts the document as JSON with the call that matches the target type', async () => {
    await writer().putInlinePolicy(group, POLICY, DOCUMENT);
    await writer().putInlinePolicy(user, POLICY, DOCUMENT);
    await writer().putInlinePolicy(role, POLICY, DOCUMENT);

    const json = JSON.stringify(DOCUMENT);
    expect(iamMock).toHaveReceivedCommandTimes(PutGroupPolicyCommand, 1);
    expect(iamMock).toHaveReceivedCommandWith(PutGroupPolicyCommand, {
      GroupName: 'GlueAccess',
      PolicyName: POLICY,
      PolicyDocument: json,
    });
    expect(iamMock).toHaveReceivedCommandTimes(PutUserPolicyCommand, 1);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, {
      UserName: 'mei.tanaka',
      PolicyName: POLICY,
      PolicyDocument: json,
    });
    expect(iamMock).toHaveReceivedCommandTimes(PutRolePolicyCommand, 1);
    expect(iamMock).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'deployer',
      PolicyName: POLICY,
      PolicyDocument: json,
    });
    expect(iamMock.calls()).toHaveLength(3);
  });

  it('refuses a permission set without calling IAM', async () => {
    await expect(writer().putInlinePolicy(permissionSet, POLICY, DOCUMENT)).rejects.toThrow(
      InvalidInputError,
    );
    await expect(writer().getInlinePolicy(permissionSet, POLICY)).rejects.toThrow(/Identity Center/);
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('maps throttling and 5xx to TransientAwsError and access denied to AwsCallError, keeping the cause', async () => {
    const throttled = new ServiceFailureException({ message: 'busy', $metadata: { httpStatusCode: 500 } });
    iamMock.on(PutGroupPolicyCommand).rejects(throttled);
    const transient = await writer()
      .putInlinePolicy(group, POLICY, DOCUMENT)
      .catch((error: unknown) => error);
    expect(transient).toBeInstanceOf(TransientAwsError);
    expect((transient as Error).cause).toBe(throttled);

    const denied = Object.assign(new Error('not authorized to perform iam:PutRolePolicy'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    iamMock.on(PutRolePolicyCommand).rejects(denied);
    const failure = await writer()
      .putInlinePolicy(role, POLICY, DOCUMENT)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect((failure as Error).message).toBe(
      'Access denied: iam:PutRolePolicy on role deployer is not allowed (AccessDenied: not authorized to perform iam:PutRolePolicy)',
    );
    expect((failure as Error).cause).toBe(denied);
  });
});

describe('IamPolicyWriter.getInlinePolicy', () => {
  it("decodes IAM's URL-encoded document and an emulator's plain JSON alike", async () => {
    iamMock
      .on(GetGroupPolicyCommand, { GroupName: 'GlueAccess', PolicyName: POLICY })
      .resolves({ GroupName: 'GlueAccess', PolicyName: POLICY, PolicyDocument: urlEncoded(DOCUMENT) });
    iamMock
      .on(GetUserPolicyCommand, { UserName: 'mei.tanaka', PolicyName: POLICY })
      .resolves({ UserName: 'mei.tanaka', PolicyName: POLICY, PolicyDocument: JSON.stringify(DOCUMENT) });
    iamMock
      .on(GetRolePolicyCommand, { RoleName: 'deployer', PolicyName: POLICY })
      .resolves({ RoleName: 'deployer', PolicyName: POLICY, PolicyDocument: urlEncoded(DOCUMENT) });

    await expect(writer().getInlinePolicy(group, POLICY)).resolves.toEqual(DOCUMENT);
    await expect(writer().getInlinePolicy(user, POLICY)).resolves.toEqual(DOCUMENT);
    await expect(writer().getInlinePolicy(role, POLICY)).resolves.toEqual(DOCUMENT);
  });

  it('decodes a URL-encoded document whose values hold a "%"', async () => {
    const withPercent = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/100%/*' }],
    };
    iamMock.on(GetGroupPolicyCommand).resolves({ PolicyDocument: urlEncoded(withPercent) });
    await expect(writer().getInlinePolicy(group, POLICY)).resolves.toEqual(withPercent);
  });

  it('answers null when IAM has no such policy or entity', async () => {
    iamMock
      .on(GetGroupPolicyCommand)
      .rejects(new NoSuchEntityException({ message: 'The group policy cannot be found.', $metadata: {} }));
    await expect(writer().getInlinePolicy(group, POLICY)).resolves.toBeNull();
  });

  it('fails on an answer without a document or with one that is not a policy', async () => {
    iamMock.on(GetGroupPolicyCommand).resolves({ GroupName: 'GlueAccess', PolicyName: POLICY });
    await expect(writer().getInlinePolicy(group, POLICY)).rejects.toThrow(AwsCallError);
    iamMock.on(GetGroupPolicyCommand).resolves({ PolicyDocument: '%7Bnot json' });
    await expect(writer().getInlinePolicy(group, POLICY)).rejects.toThrow(InvalidInputError);
  });

  it('maps a throttled read-back to TransientAwsError', async () => {
    iamMock
      .on(GetUserPolicyCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(writer().getInlinePolicy(user, POLICY)).rejects.toThrow(TransientAwsError);
  });
});
