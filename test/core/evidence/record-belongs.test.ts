/** A record is of the denial only when its principal, action and resource are the denial's. */
import { recordBelongs, sameEntity } from '../../../lambda/core/evidence/record-belongs';
import { awsRecord, ETL_ROLE, MEI, passEvaluation } from '../../support/aws-records';
import { denialOf } from '../../support/denials';
import { ACCOUNT } from '../../support/scope-builders';

const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/ci/deployer`;

describe('recordBelongs', () => {
  it('takes the deny of iam:PassRole on the role, not an Allow of it or another action', () => {
    const deny = passEvaluation({ effect: 'explicit-deny' });
    const record = awsRecord({
      evaluations: [passEvaluation({ effect: 'allow' }), { ...deny, action: 'IAM:passrole' }],
    });
    expect(recordBelongs(record, denialOf(), ETL_ROLE, MEI)).toEqual({
      kind: 'belongs',
      evaluation: { ...deny, action: 'IAM:passrole' },
    });
  });

  it("a session's record names its role (with the role's path): the session's entity", () => {
    const record = awsRecord({ requestContext: { 'AWS:PrincipalArn': DEPLOYER } });
    const denial = denialOf({ principalArn: SESSION, principalType: 'role' });
    expect(recordBelongs(record, denial, ETL_ROLE, `arn:aws:iam::${ACCOUNT}:role/deployer`).kind).toBe(
      'belongs',
    );
  });

  it('a record without aws:PrincipalArn cannot be tied to the caller: not evidence', () => {
    const record = awsRecord({ requestContext: {} });
    expect(recordBelongs(record, denialOf(), ETL_ROLE, MEI)).toEqual({
      kind: 'mismatch',
      mismatches: [{ field: 'principal', recorded: null, expected: MEI }],
    });
  });

  it('a wildcard resource AWS evaluated covers the role it matches, and only that', () => {
    const wildcard = awsRecord({
      evaluations: [passEvaluation({ resource: `arn:aws:iam::${ACCOUNT}:role/etl-*` })],
    });
    expect(recordBelongs(wildcard, denialOf(), ETL_ROLE, MEI).kind).toBe('belongs');
    const other = awsRecord({
      evaluations: [passEvaluation({ resource: `arn:aws:iam::${ACCOUNT}:role/app-*` })],
    });
    expect(recordBelongs(other, denialOf(), ETL_ROLE, MEI)).toMatchObject({
      mismatches: [{ field: 'resource' }],
    });
  });
});

describe('sameEntity', () => {
  it('compares partition, account, kind and name (IAM names are unique whatever their case or path)', () => {
    expect(sameEntity(`arn:aws:iam::${ACCOUNT}:role/ci/Deployer`, SESSION)).toBe(true);
    expect(sameEntity(`arn:aws:iam::${ACCOUNT}:user/deployer`, SESSION)).toBe(false);
    expect(sameEntity(`arn:aws:iam::999988887777:role/deployer`, SESSION)).toBe(false);
    expect(sameEntity(`arn:aws-cn:iam::${ACCOUNT}:role/deployer`, SESSION)).toBe(false);
  });
});
