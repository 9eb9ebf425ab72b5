import { findNearMisses, type NearMiss } from '../../../lambda/core/analysis/near-miss';
import { renderFinding } from '../../../lambda/core/render/findings';
import { nearMissInsight } from '../../../lambda/core/render/near-miss';
import { principalStatements } from '../../../lambda/core/policy/statements';
import { group, managed, user } from '../../support/scope-builders';

const ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const glueConsole = managed(
  'AWSGlueConsoleFullAccess',
  { Effect: 'Allow', Action: ['glue:*'], Resource: '*' },
  {
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*',
    Condition: { StringLike: { 'iam:PassedToService': ['glue.amazonaws.com'] } },
  },
  {
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: 'arn:aws:iam::*:role/AWSGlueServiceNotebookRole*',
    Condition: { StringLike: { 'iam:PassedToService': ['ec2.amazonaws.com'] } },
  },
);

/** The near misses as the reports show them. */
function nearMissFindings(misses: readonly NearMiss[], roleArn: string, service: string) {
  return misses.map((miss) => renderFinding({ kind: 'near-miss', miss, roleArn, service }));
}

describe('near misses', () => {
  it('names the managed policy that allows PassRole only on a naming rule, and where it is attached', () => {
    const principal = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const misses = findNearMisses(principalStatements(principal), ROLE, 'glue.amazonaws.com');
    // The notebook statement (another role, another service) is noise beside the Glue one.
    expect(misses).toHaveLength(1);
    const [first] = nearMissFindings(misses, ROLE, 'glue.amazonaws.com');
    expect(first).toMatchObject({
      kind: 'near-miss',
      policy: 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess',
      statement: '1',
    });
    expect(first?.message).toContain(
      'AWSGlueConsoleFullAccess (on group/GlueAccess) allows iam:PassRole only on arn:aws:iam::*:role/AWSGlueServiceRole*',
    );
    expect(first?.message).toContain('etl-nightly-runtime does not match');
  });

  it('explains a statement that covers the role but only for another service', () => {
    const principal = user('mei', {
      attachedPolicies: [
        managed('PassToEc2', {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: ROLE,
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        }),
      ],
    });
    const [finding] = nearMissFindings(
      findNearMisses(principalStatements(principal), ROLE, 'glue.amazonaws.com'),
      ROLE,
      'glue.amazonaws.com',
    );
    expect(finding?.message).toContain('only when passed to ec2.amazonaws.com, not glue.amazonaws.com');
  });

  it('ignores statements that would grant the request, denies, and other actions', () => {
    const principal = user('mei', {
      attachedPolicies: [
        managed('Grants', { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE }),
        managed('Denies', { Effect: 'Deny', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/other' }),
        managed('Other', { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
      ],
    });
    expect(findNearMisses(principalStatements(principal), ROLE, 'glue.amazonaws.com')).toEqual([]);
  });

  it('keeps a statement for another service on another role when nothing closer exists', () => {
    const onlyNotebook = managed('Notebook', {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::*:role/AWSGlueServiceNotebookRole*',
      Condition: { StringLike: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
    const principal = user('mei', { attachedPolicies: [onlyNotebook] });
    expect(findNearMisses(principalStatements(principal), ROLE, 'glue.amazonaws.com')).toHaveLength(1);
  });

  it('merges the resource patterns of one policy into one sentence', () => {
    const twoPatterns = managed(
      'GlueConsole',
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*' },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: ['arn:aws:iam::*:role/service-role/AWSGlueServiceRole*'],
      },
    );
    const principal = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [twoPatterns] })] });
    const misses = findNearMisses(principalStatements(principal), ROLE, 'glue.amazonaws.com');
    expect(nearMissInsight(misses, ROLE, 'glue.amazonaws.com')).toBe(
      'GlueConsole (on group/GlueAccess) allows iam:PassRole only on arn:aws:iam::*:role/AWSGlueServiceRole*, arn:aws:iam::*:role/service-role/AWSGlueServiceRole*; etl-nightly-runtime does not match',
    );
    expect(nearMissInsight([], ROLE, 'glue.amazonaws.com')).toBeNull();
  });
});
