/** The apply's merge of the statement into the set's inline policy, and its two size limits. */
import {
  IAM_ROLE_INLINE_MAX,
  mergeInlinePolicy,
  PERMISSION_SET_INLINE_MAX,
} from '../../../../lambda/core/apply/permission-set/inline-merge';
import type { PolicyDocument } from '../../../../lambda/core/model';

const ROLE = 'arn:aws:iam::123456789012:role/etl_nightly_runtime';
const STATEMENT = {
  Sid: 'AllowPassEtlNightlyRuntimeToGlue',
  Effect: 'Allow' as const,
  Action: 'iam:PassRole',
  Resource: ROLE,
  Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
};
const DOCUMENT: PolicyDocument = { Version: '2012-10-17', Statement: [STATEMENT] };
const READ = { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

describe('mergeInlinePolicy', () => {
  it('makes an empty (or blank) inline policy the statement alone', () => {
    for (const inline of [null, '', '  \n']) {
      const merge = mergeInlinePolicy(inline, DOCUMENT);
      expect(merge).toEqual({
        kind: 'merged',
        policy: { Version: '2012-10-17', Statement: [STATEMENT] },
        text: JSON.stringify({ Version: '2012-10-17', Statement: [STATEMENT] }),
        alreadyPresent: false,
      });
    }
  });

  it('appends to an existing policy, keeping its statements and fields', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Id: 'team', Statement: READ }, null, 2);
    const merge = mergeInlinePolicy(existing, DOCUMENT);
    expect(merge).toMatchObject({ kind: 'merged', alreadyPresent: false });
    if (merge.kind !== 'merged') return;
    expect(JSON.parse(merge.text)).toEqual({
      Version: '2012-10-17',
      Id: 'team',
      Statement: [READ, STATEMENT],
    });
  });

  it('leaves the text exactly as it is when an equal statement is already there (keys in any order)', () => {
    const reordered = {
      Condition: STATEMENT.Condition,
      Resource: ROLE,
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Sid: STATEMENT.Sid,
    };
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [READ, reordered] }, null, 4);
    expect(mergeInlinePolicy(existing, DOCUMENT)).toMatchObject({
      kind: 'merged',
      text: existing,
      alreadyPresent: true,
    });
  });

  it('refuses a merge over PutInlinePolicyToPermissionSet’s 32,768 characters (checked first)', () => {
    const huge = { ...READ, Resource: 'x'.repeat(PERMISSION_SET_INLINE_MAX) };
    const merge = mergeInlinePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [huge] }), DOCUMENT);
    expect(merge).toMatchObject({ kind: 'too-large', limit: 'permission-set-inline', max: 32_768 });
  });

  it('refuses a merge over IAM’s 10,240 characters for the role, whitespace not counted', () => {
    const big = { ...READ, Resource: 'x'.repeat(IAM_ROLE_INLINE_MAX - 200) };
    const merge = mergeInlinePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [big] }), DOCUMENT);
    expect(merge).toMatchObject({ kind: 'too-large', limit: 'iam-role-inline', max: 10_240 });
    if (merge.kind === 'too-large') expect(merge.size).toBeGreaterThan(10_240);
  });

  it('writes compact JSON: the existing policy’s whitespace counts against neither limit', () => {
    const spaced = JSON.stringify({ Version: '2012-10-17', Statement: [READ] }, null, 2) + ' '.repeat(20_000);
    const merge = mergeInlinePolicy(spaced, DOCUMENT);
    expect(merge.kind).toBe('merged');
    if (merge.kind === 'merged') expect(merge.text).not.toMatch(/\s/);
  });

  it('calls a policy it cannot read, or a Sid it would repeat, unreadable', () => {
    expect(mergeInlinePolicy('{not json', DOCUMENT)).toEqual({
      kind: 'unreadable',
      problem: "the set's inline policy cannot be read: it is not JSON",
    });
    expect(mergeInlinePolicy('{"Version":"2012-10-17"}', DOCUMENT)).toMatchObject({ kind: 'unreadable' });
    const clash = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...READ, Sid: STATEMENT.Sid }] });
    expect(mergeInlinePolicy(clash, DOCUMENT)).toEqual({
      kind: 'unreadable',
      problem:
        "the set's inline policy already has another statement with Sid AllowPassEtlNightlyRuntimeToGlue",
    });
  });
});
