/** The statements AWS matched, found in the principal's policies from the record's URI, attachedTo and Sid. */
import { matchedStatementEvidence } from '../../../lambda/core/evidence/record-statements';
import { awsRecord, inlinePolicyInfo, matched, MEI, passEvaluation } from '../../support/aws-records';
import { ACCOUNT, group, inline, managed, user } from '../../support/scope-builders';

const deny = { Sid: 'NoPass', Effect: 'Deny' as const, Action: 'iam:PassRole', Resource: '*' };
const shared = managed('SharedGuard', deny);

function locations(principal: ReturnType<typeof user>, ...policies: Parameters<typeof awsRecord>[0][]) {
  const record = awsRecord(policies[0]);
  const evaluation = record.evaluations.find((e) => e.action === 'iam:PassRole') ?? passEvaluation();
  return matchedStatementEvidence(record, evaluation, principal).map((s) => s.location);
}

describe('matchedStatementEvidence', () => {
  it('an inline policy is found on the entity AWS names, by Sid', () => {
    const mei = user('mei', {
      inlinePolicies: [inline('Mine', deny)],
      groups: [group('Ops', { inlinePolicies: [inline('Theirs', deny)] })],
    });
    const found = locations(mei, {
      evaluations: [
        passEvaluation({ effect: 'explicit-deny', matchedPolicies: [matched('p1', ['NoPass', 'deny'])] }),
      ],
      policies: [inlinePolicyInfo('p1', `arn:aws:iam::${ACCOUNT}:group/Ops`)],
    });
    expect(found).toMatchObject([
      { kind: 'located', located: { policyName: 'Theirs', attachedTo: 'group/Ops' } },
    ]);
  });

  it('without attachedTo, two inline policies with the Sid are ambiguous, never a guess', () => {
    const mei = user('mei', {
      inlinePolicies: [inline('Mine', deny)],
      groups: [group('Ops', { inlinePolicies: [inline('Theirs', deny)] })],
    });
    const found = locations(mei, {
      evaluations: [
        passEvaluation({ effect: 'explicit-deny', matchedPolicies: [matched('p1', ['NoPass', 'deny'])] }),
      ],
      policies: [{ ...inlinePolicyInfo('p1', MEI), attachedTo: [] }],
    });
    expect(found).toEqual([
      { kind: 'ambiguous', candidates: ['Mine (on user/mei)', 'Theirs (on group/Ops)'] },
    ]);
  });

  it('a managed policy attached twice is one document; a Sid it lacks is said, not invented', () => {
    const mei = user('mei', {
      attachedPolicies: [shared],
      groups: [group('Ops', { attachedPolicies: [shared] })],
    });
    const found = locations(mei, {
      evaluations: [
        passEvaluation({
          effect: 'explicit-deny',
          matchedPolicies: [matched(shared.arn, ['NoPass', 'deny'], ['Generated1', 'deny'])],
        }),
      ],
    });
    expect(found).toMatchObject([
      { kind: 'located', located: { policyArn: shared.arn, attachedTo: 'user/mei' } },
      { kind: 'statement-not-found', policyName: 'SharedGuard' },
    ]);
  });
});
