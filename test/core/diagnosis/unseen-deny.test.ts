/** Whether the simulation reproduces the explicit deny the message names. */
import { unseenDeny } from '../../../lambda/core/diagnosis/unseen-deny';
import type { MatchedStatement, MessageCause, SimulationResult } from '../../../lambda/core/model';

const SCP_ARN = 'arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1';

const deny = (parts: Partial<MatchedStatement>): MatchedStatement => ({
  policyType: 'identity',
  policyName: 'NoPass',
  policyArn: null,
  attachedTo: 'user/mei',
  effect: 'Deny',
  statement: 'Never',
  ...parts,
});

const result = (parts: Partial<SimulationResult>): SimulationResult => ({
  decision: 'explicitDeny',
  matchedStatements: [],
  blockedBy: [],
  ...parts,
});

const cause = (parts: Partial<MessageCause>): MessageCause => ({
  policyType: 'scp',
  explicit: true,
  policyArn: null,
  ...parts,
});

describe('unseenDeny', () => {
  it('an implicit or unstated cause is never a deny not visible here', () => {
    const implicit = result({ decision: 'implicitDeny' });
    expect(unseenDeny(cause({ explicit: false }), implicit)).toBeNull();
    expect(unseenDeny(cause({ explicit: null }), implicit)).toBeNull();
  });

  it('an implicit deny or an allow does not reproduce an explicit deny', () => {
    for (const decision of ['implicitDeny', 'allowed'] as const) {
      expect(unseenDeny(cause({ policyArn: SCP_ARN }), result({ decision }))).toEqual({
        kind: 'deny-not-visible',
        policyType: 'scp',
        policyArn: SCP_ARN,
      });
    }
  });

  it('a deny of another type does not reproduce it', () => {
    const mfa = result({ matchedStatements: [deny({})], blockedBy: ['identity'] });
    expect(unseenDeny(cause({}), mfa)).toMatchObject({ policyType: 'scp' });
  });

  it('a deny of its type reproduces it, unless both name different ARNs', () => {
    const local = result({
      matchedStatements: [deny({ policyType: 'scp', policyArn: null })],
      blockedBy: ['scp'],
    });
    expect(unseenDeny(cause({ policyArn: SCP_ARN }), local)).toBeNull();
    const other = result({
      matchedStatements: [deny({ policyType: 'scp', policyArn: `${SCP_ARN}0` })],
      blockedBy: ['scp'],
    });
    expect(unseenDeny(cause({ policyArn: SCP_ARN }), other)).toMatchObject({ policyArn: SCP_ARN });
  });

  it("IAM's simulator: an SCP layer that denies without naming statements reproduces it", () => {
    expect(unseenDeny(cause({ policyArn: SCP_ARN }), result({ blockedBy: ['scp'] }))).toBeNull();
  });

  it('a message cut before the type: any explicit deny reproduces it', () => {
    expect(unseenDeny(cause({ policyType: null }), result({ matchedStatements: [deny({})] }))).toBeNull();
    expect(unseenDeny(cause({ policyType: null }), result({ decision: 'implicitDeny' }))).toEqual({
      kind: 'deny-not-visible',
      policyType: null,
      policyArn: null,
    });
  });
});
