import { chooseTarget, existingInlineSize } from '../../../lambda/core/proposal/target';
import type { Denial } from '../../../lambda/core/model';
import { group, inline, managed, role, user } from '../../support/scope-builders';

const glueAll = managed('GlueAll', { Effect: 'Allow', Action: 'glue:*', Resource: '*' });
const denial = { deniedAction: 'glue:UpdateJob', principalType: 'user', permissionSetName: null } as Pick<
  Denial,
  'deniedAction' | 'principalType' | 'permissionSetName'
> as Denial;

describe('choosing where the fix goes', () => {
  it('picks the group that grants the denied API call, not any group', () => {
    const principal = user('mei', {
      groups: [
        group('Developers', {
          memberCount: 1,
          inlinePolicies: [inline('Read', { Effect: 'Allow', Action: 'logs:Get*', Resource: '*' })],
        }),
        group('GlueAccess', { memberCount: 9, attachedPolicies: [glueAll] }),
      ],
    });
    expect(chooseTarget(denial, principal)).toEqual({
      type: 'group',
      name: 'GlueAccess',
      arn: 'arn:aws:iam::123456789012:group/GlueAccess',
      memberCount: 9,
    });
  });

  it('names the target group’s first 20 members, sorted, when the reader read them', () => {
    const names = Array.from({ length: 25 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    const principal = user('mei', {
      groups: [group('GlueAccess', { memberCount: 25, memberNames: names, attachedPolicies: [glueAll] })],
    });
    expect(chooseTarget(denial, principal)).toMatchObject({
      type: 'group',
      memberCount: 25,
      memberNames: names.slice(0, 20),
    });
  });

  it('picks the granting group with the fewest members', () => {
    const principal = user('mei', {
      groups: [
        group('Big', { memberCount: 40, attachedPolicies: [glueAll] }),
        group('Small', { memberCount: 3, attachedPolicies: [glueAll] }),
      ],
    });
    expect(chooseTarget(denial, principal).name).toBe('Small');
  });

  it('falls back to the user when no group grants the call', () => {
    const principal = user('mei', { attachedPolicies: [glueAll], groups: [group('Other')] });
    expect(chooseTarget(denial, principal)).toMatchObject({ type: 'user', name: 'mei', memberCount: 1 });
  });

  it('targets the role itself for an assumed-role session, and the permission set for Identity Center', () => {
    const sessionRole = role('deployer');
    expect(chooseTarget({ ...denial, principalType: 'role' }, sessionRole)).toMatchObject({
      type: 'role',
      name: 'deployer',
    });
    expect(
      chooseTarget(
        { ...denial, principalType: 'sso-role', permissionSetName: 'DataEngineer' },
        role('AWSReservedSSO_DataEngineer_0123456789abcdef'),
      ),
    ).toEqual({ type: 'permission-set', name: 'DataEngineer', arn: null, memberCount: null });
  });

  it('sizes the inline policies already on the target, replacing a same-named one', () => {
    const big = inline('Existing', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const principal = user('mei', {
      groups: [
        group('G', {
          inlinePolicies: [big, inline('Mine', { Effect: 'Allow', Action: '*', Resource: '*' })],
        }),
      ],
    });
    const target = { type: 'group' as const, name: 'G', arn: null, memberCount: 1 };
    expect(existingInlineSize(target, principal, 'Mine')).toBe(JSON.stringify(big.document).length);
  });
});
