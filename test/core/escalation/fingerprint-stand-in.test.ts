import { escalationFingerprint } from '../../../lambda/core/escalation/fingerprint';
import type { RoleDetails } from '../../../lambda/core/model';
import { gainer } from '../../support/signed-approval';

const allow = (action: string) => ({
  Version: '2012-10-17' as const,
  Statement: [{ Effect: 'Allow' as const, Action: action, Resource: '*' }],
});

function role(): RoleDetails {
  return {
    kind: 'role',
    arn: 'arn:aws:iam::123456789012:role/etl',
    name: 'etl',
    path: '/',
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    inlinePolicies: [
      { name: 'a', document: allow('s3:GetObject') },
      { name: 'b', document: allow('glue:GetJob') },
    ],
    attachedPolicies: [
      { arn: 'arn:aws:iam::aws:policy/One', name: 'One', document: allow('logs:PutLogEvents') },
      { arn: 'arn:aws:iam::aws:policy/Two', name: 'Two', document: allow('s3:ListBucket') },
    ],
    permissionsBoundary: null,
  };
}

const MEMBERS = ['arn:aws:iam::123456789012:user/mei', 'arn:aws:iam::123456789012:user/li'].map(gainer);

describe('escalationFingerprint', () => {
  it('is two SHA-256 hex digests that do not depend on reading order', () => {
    const first = escalationFingerprint(role(), MEMBERS);
    expect(first.rolePolicies).toMatch(/^[0-9a-f]{64}$/);
    expect(first.membership).toMatch(/^[0-9a-f]{64}$/);
    const reordered = role();
    reordered.inlinePolicies.reverse();
    reordered.attachedPolicies.reverse();
    expect(escalationFingerprint(reordered, [...MEMBERS].reverse())).toEqual(first);
  });

  it.each<[string, (r: RoleDetails) => void]>([
    ['an inline policy changed', (r) => (r.inlinePolicies[0] = { name: 'a', document: allow('s3:*') })],
    ['an inline policy added', (r) => r.inlinePolicies.push({ name: 'c', document: allow('iam:*') })],
    [
      'a managed policy attached',
      (r) =>
        r.attachedPolicies.push({
          arn: 'arn:aws:iam::aws:policy/Admin',
          name: 'Admin',
          document: allow('*'),
        }),
    ],
    [
      'a managed policy’s document changed',
      (r) => {
        const p = r.attachedPolicies[0];
        if (p) p.document = allow('*');
      },
    ],
    ['the trust policy changed', (r) => (r.trustPolicy = allow('sts:AssumeRole'))],
    [
      'a boundary set',
      (r) => (r.permissionsBoundary = { arn: 'arn:aws:iam::aws:policy/B', name: 'B', document: allow('*') }),
    ],
  ])('changes the role hash when %s, not the membership hash', (_label, change) => {
    const before = escalationFingerprint(role(), MEMBERS);
    const changed = role();
    change(changed);
    const after = escalationFingerprint(changed, MEMBERS);
    expect(after.rolePolicies).not.toBe(before.rolePolicies);
    expect(after.membership).toBe(before.membership);
  });

  it('changes the membership hash when someone joins or leaves, not the role hash', () => {
    const before = escalationFingerprint(role(), MEMBERS);
    const joined = escalationFingerprint(role(), [...MEMBERS, gainer('arn:aws:iam::123456789012:user/sam')]);
    const left = escalationFingerprint(role(), MEMBERS.slice(1));
    expect(joined.membership).not.toBe(before.membership);
    expect(left.membership).not.toBe(before.membership);
    expect(joined.rolePolicies).toBe(before.rolePolicies);
  });
});
