import { analyseEscalation, escalationFingerprint } from '../../../lambda/core/escalation/analyse';
import { awsManaged, customer, doc, modestUser, role, user } from './support';

const passed = () =>
  role('etl', {
    inlinePolicies: [
      { name: 'B', document: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) },
      { name: 'A', document: doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::a/*' }) },
    ],
    attachedPolicies: [awsManaged('AWSGlueServiceRole'), awsManaged('AmazonS3FullAccess')],
    permissionsBoundary: customer('Boundary', { Effect: 'Allow', Action: 's3:*', Resource: '*' }),
  });

describe('escalationFingerprint', () => {
  it('does not depend on the order the reads return policies and members in', () => {
    const first = passed();
    const second = {
      ...passed(),
      inlinePolicies: [...passed().inlinePolicies].reverse(),
      attachedPolicies: [...passed().attachedPolicies].reverse(),
    };
    const members = [modestUser('mei'), modestUser('li')];
    expect(escalationFingerprint(first, members)).toEqual(
      escalationFingerprint(second, [...members].reverse()),
    );
  });

  it('changes with any policy document, the trust policy or the boundary', () => {
    const base = escalationFingerprint(passed(), []);
    const edited = passed();
    edited.inlinePolicies[0] = {
      name: 'B',
      document: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }),
    };
    expect(escalationFingerprint(edited, []).rolePolicies).not.toBe(base.rolePolicies);
    const trusted = {
      ...passed(),
      trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
    };
    expect(escalationFingerprint(trusted, []).rolePolicies).not.toBe(base.rolePolicies);
    expect(escalationFingerprint({ ...passed(), permissionsBoundary: null }, []).rolePolicies).not.toBe(
      base.rolePolicies,
    );
  });

  it('hashes membership by the gainers’ ARNs alone', () => {
    const mei = modestUser('mei');
    const before = escalationFingerprint(passed(), [mei]);
    expect(escalationFingerprint(passed(), [user('mei')]).membership).toBe(before.membership);
    expect(escalationFingerprint(passed(), [mei, modestUser('sam')]).membership).not.toBe(before.membership);
    expect(before.membership).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is what analyseEscalation reports', () => {
    const members = [modestUser('mei')];
    const result = analyseEscalation(
      {
        accountId: '123456789012',
        role: passed(),
        gainers: members,
        trustingRoles: [],
        scps: null,
        notes: [],
      },
      { ownResourceArns: [] },
    );
    expect(result.fingerprint).toEqual(escalationFingerprint(passed(), members));
  });
});
