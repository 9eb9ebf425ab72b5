import {
  IAM_ROLE_INLINE_MAX,
  iamPolicySize,
  mergeIntoInlinePolicy,
  PERMISSION_SET_INLINE_MAX,
  proposedStatement,
} from '../../../lambda/core/identity-center/merge';
import type { PolicyStatement } from '../../../lambda/core/model';
import { minimalPassRoleDocument } from '../../../lambda/core/proposal/document';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/etl_runtime';
const [STATEMENT] = minimalPassRoleDocument(ROLE_ARN, 'glue.amazonaws.com', 'AllowPassEtlRuntimeToGlue')
  .Statement as PolicyStatement[];
const statement = STATEMENT as PolicyStatement;

const s3Read: PolicyStatement = { Sid: 'ReadData', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

function merged(text: string | null) {
  const result = mergeIntoInlinePolicy(text, statement);
  if (result.kind !== 'merged') throw new Error(`not merged: ${JSON.stringify(result)}`);
  return result;
}

describe('mergeIntoInlinePolicy', () => {
  it.each([null, '', '  \n'])('an empty inline policy (%j) becomes a policy of the one statement', (text) => {
    const result = merged(text);
    expect(result.alreadyPresent).toBe(false);
    expect(result.policy).toEqual({ Version: '2012-10-17', Statement: [statement] });
    expect(JSON.parse(result.text)).toEqual(result.policy);
  });

  it('an existing policy keeps its statements, in order, with the statement added last', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [s3Read] }, null, 4);
    const result = merged(existing);
    expect(result.policy.Statement).toEqual([s3Read, statement]);
    // Written compact: a pretty-printed set's whitespace counts against sso-admin's limit.
    expect(result.text).toBe(JSON.stringify(result.policy));
  });

  it('a single Statement object is carried over as the first of the list', () => {
    const result = merged(JSON.stringify({ Version: '2012-10-17', Statement: s3Read }));
    expect(result.policy.Statement).toEqual([s3Read, statement]);
  });

  it('a statement already present (another Sid, keys in another order) is not added: the text stays', () => {
    const same = {
      Condition: statement.Condition,
      Resource: ROLE_ARN,
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Sid: 'AddedByHand',
    };
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [s3Read, same] }, null, 2);
    const result = merged(existing);
    expect(result.alreadyPresent).toBe(true);
    expect(result.text).toBe(existing);
  });

  it('a Sid taken by another statement gets a number, so the policy stays valid', () => {
    const taken = { ...s3Read, Sid: statement.Sid };
    const result = merged(JSON.stringify({ Version: '2012-10-17', Statement: [taken] }));
    const sids = (result.policy.Statement as PolicyStatement[]).map((s) => s.Sid);
    expect(sids).toEqual([statement.Sid, `${statement.Sid}2`]);
  });

  it("too large for IAM's role inline policy (10,240 without whitespace): refused with the size", () => {
    const filler: PolicyStatement = {
      ...s3Read,
      Resource: `arn:aws:s3:::${'b'.repeat(IAM_ROLE_INLINE_MAX)}/*`,
    };
    const result = mergeIntoInlinePolicy(JSON.stringify({ Statement: [filler] }), statement);
    expect(result).toMatchObject({ kind: 'too-large', limit: 'iam-role-inline', max: IAM_ROLE_INLINE_MAX });
    if (result.kind !== 'too-large') throw new Error('not too large');
    expect(result.size).toBeGreaterThan(IAM_ROLE_INLINE_MAX);
  });

  it('just within both limits: merged', () => {
    const base = JSON.stringify({ Statement: [{ ...s3Read, Resource: '' }, statement] }).length;
    const filler: PolicyStatement = { ...s3Read, Resource: 'r'.repeat(IAM_ROLE_INLINE_MAX - base) };
    const result = mergeIntoInlinePolicy(JSON.stringify({ Statement: [filler] }), statement);
    expect(result.kind).toBe('merged');
    if (result.kind === 'merged') expect(iamPolicySize(result.text)).toBe(IAM_ROLE_INLINE_MAX);
  });

  it("too large for sso-admin (32,768 with whitespace) while IAM's count, without whitespace, fits", () => {
    // Whitespace inside strings stays in the text sso-admin counts; IAM does not count it.
    const spaced: PolicyStatement = {
      ...s3Read,
      Condition: { StringLike: { 's3:prefix': `reports${' '.repeat(PERMISSION_SET_INLINE_MAX)}` } },
    };
    const result = mergeIntoInlinePolicy(JSON.stringify({ Statement: [spaced] }), statement);
    expect(result).toMatchObject({
      kind: 'too-large',
      limit: 'permission-set-inline',
      max: PERMISSION_SET_INLINE_MAX,
    });
    if (result.kind !== 'too-large') throw new Error('not too large');
    expect(result.size).toBeGreaterThan(PERMISSION_SET_INLINE_MAX);
  });

  it.each([
    ['not JSON', '{"Statement": ['],
    ['not an object', '[1, 2]'],
    ['without statements', '{"Version": "2012-10-17"}'],
    ['with a statement that is not an object', '{"Statement": ["x"]}'],
  ])('an inline policy %s is unreadable: nothing merged', (_what, text) => {
    expect(mergeIntoInlinePolicy(text, statement)).toMatchObject({ kind: 'unreadable' });
  });

  // From the apply's former copy (apply/permission-set/inline-merge.ts), now this one function.
  it('an existing policy keeps its other fields (Id), and the result is compact JSON', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Id: 'team', Statement: s3Read }, null, 2);
    const result = merged(existing);
    expect(JSON.parse(result.text)).toEqual({
      Version: '2012-10-17',
      Id: 'team',
      Statement: [s3Read, statement],
    });
  });

  it("an existing policy's whitespace between tokens counts against neither limit", () => {
    const spaced = `${JSON.stringify({ Version: '2012-10-17', Statement: [s3Read] }, null, 2)}${' '.repeat(40_000)}`;
    const result = merged(spaced);
    expect(result.text).not.toMatch(/\s/);
  });
});

describe('proposedStatement', () => {
  it('is the minimal document’s one statement, and refuses a document of several', () => {
    const document = minimalPassRoleDocument(ROLE_ARN, 'glue.amazonaws.com', 'AllowPassEtlRuntimeToGlue');
    expect(proposedStatement(document)).toEqual(statement);
    expect(() => proposedStatement({ Version: '2012-10-17', Statement: [statement, s3Read] })).toThrow(
      TypeError,
    );
  });
});
