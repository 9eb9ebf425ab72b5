import {
  SOURCE_IDENTITY_PATTERN,
  sourceIdentityFor,
} from '../../../../lambda/adapters/aws/organization/source-identity';

const IDC_SESSION =
  'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_SecurityAdmin_0a1b2c3d4e5f6a7b/alice@example.com';

describe('sourceIdentityFor', () => {
  test('keeps a value that already is a valid source identity', () => {
    expect(sourceIdentityFor('alice@example.com')).toBe('alice@example.com');
  });

  test("an IAM user's ARN becomes its name and a hash of the whole ARN", () => {
    expect(sourceIdentityFor('arn:aws:iam::111122223333:user/alice')).toMatch(/^alice-[0-9a-f]{10}$/);
  });

  test("a session's ARN keeps role and session, its slash made valid", () => {
    const identity = sourceIdentityFor(IDC_SESSION);
    expect(identity).toMatch(SOURCE_IDENTITY_PATTERN);
    expect(
      identity.startsWith('AWSReservedSSO_SecurityAdmin_0a1b2c3d4e5f6a7b_alice@example.com'.slice(0, 53)),
    ).toBe(true);
  });

  test('is deterministic and keeps different approvers apart, even when their readable parts agree', () => {
    const a = sourceIdentityFor('arn:aws:iam::111122223333:user/alice');
    const b = sourceIdentityFor('arn:aws:iam::444455556666:user/alice');
    expect(sourceIdentityFor('arn:aws:iam::111122223333:user/alice')).toBe(a);
    expect(a).not.toBe(b);
  });

  test('always answers 2 to 64 valid characters', () => {
    for (const approver of [
      '',
      'x',
      'a b',
      '/'.repeat(5),
      `arn:aws:iam::111122223333:user/${'n'.repeat(200)}`,
    ]) {
      expect(sourceIdentityFor(approver)).toMatch(SOURCE_IDENTITY_PATTERN);
    }
  });
});
