/** The permission-set gate: the record's set, reserved role and account checked before any call. */
import { checkPermissionSetApplicable } from '../../../../lambda/core/apply/permission-set/gate';
import type { IncidentRecord } from '../../../../lambda/core/incident';
import { ACCOUNT, diagnosedSeedRecord, SEED_ROLE_ARN } from '../seed-apply';
import { permissionSetApproved, PS_SETTINGS, RESERVED_ROLE_ARN, SET_ARN, SET_NAME } from './world';

let record: IncidentRecord;

beforeAll(async () => {
  record = permissionSetApproved(await diagnosedSeedRecord());
});

function changed(change: (copy: IncidentRecord) => void): IncidentRecord {
  const copy = structuredClone(record);
  change(copy);
  return copy;
}

function targetOf(copy: IncidentRecord) {
  if (copy.proposal === null) throw new Error('no proposal');
  return copy.proposal.target;
}

describe('checkPermissionSetApplicable', () => {
  it('plans the set, its reserved role (a name with `_`), the passed role and the one account', () => {
    expect(checkPermissionSetApplicable(record, PS_SETTINGS)).toMatchObject({
      ok: true,
      plan: {
        ref: { permissionSetArn: SET_ARN, name: SET_NAME },
        policySourceArn: RESERVED_ROLE_ARN,
        roleArn: SEED_ROLE_ARN,
        service: 'glue.amazonaws.com',
        accountId: ACCOUNT,
      },
    });
  });

  it('accepts moto’s form of a permission set ARN, which names the instance too', () => {
    const moto = changed((copy) => {
      targetOf(copy).permissionSetArn = 'arn:aws:sso:::instance/ssoins-1234567890abcdef/ps-abcdef0123456789';
    });
    expect(checkPermissionSetApplicable(moto, PS_SETTINGS).ok).toBe(true);
  });

  it.each<[string, (copy: IncidentRecord) => void, string | RegExp]>([
    [
      'a set known only by name',
      (copy) => delete targetOf(copy).definitionHash,
      'the permission set Data_Engineer was not read from Identity Center when proposed: there is no definition to compare, so it is not applied',
    ],
    [
      'a set of another instance',
      (copy) => {
        targetOf(copy).permissionSetArn =
          'arn:aws:sso:::permissionSet/ssoins-ffffffffffffffff/ps-abcdef0123456789';
      },
      /^arn:aws:sso:::permissionSet\/ssoins-ffffffffffffffff\/ps-abcdef0123456789 is not a permission set of instance /,
    ],
    [
      'an instance ARN that is not one',
      (copy) => {
        targetOf(copy).instanceArn = 'arn:aws:iam::123456789012:role/x';
      },
      'arn:aws:iam::123456789012:role/x is not an Identity Center instance ARN',
    ],
    [
      'a principal that is not the set’s reserved role',
      (copy) => {
        copy.denial.policySourceArn = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`;
      },
      /is not the Identity Center role of permission set Data_Engineer$/,
    ],
    [
      'a role of the same name outside the reserved path',
      (copy) => {
        copy.denial.policySourceArn = `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_${SET_NAME}_0123456789abcdef`;
      },
      /is not the Identity Center role of permission set Data_Engineer$/,
    ],
    [
      'a reserved role in another account',
      (copy) => {
        copy.denial.policySourceArn = RESERVED_ROLE_ARN.replace(ACCOUNT, '210987654321');
      },
      /is not in account 123456789012$/,
    ],
    [
      'a document changed after approval',
      (copy) => {
        if (copy.proposal) copy.proposal.document = { Version: '2012-10-17', Statement: [] };
      },
      /^the policy document is not the one approved/,
    ],
  ])('refuses %s', (_what, change, reason) => {
    const gate = checkPermissionSetApplicable(changed(change), PS_SETTINGS);
    expect(gate.ok).toBe(false);
    if (gate.ok) return;
    if (typeof reason === 'string') expect(gate.reason).toBe(reason);
    else expect(gate.reason).toMatch(reason);
  });

  it('refuses an excluded account and a protected passed role', () => {
    expect(checkPermissionSetApplicable(record, { ...PS_SETTINGS, excludedAccounts: [ACCOUNT] })).toEqual({
      ok: false,
      reason: `account ${ACCOUNT} is excluded: the hub never writes there`,
    });
    expect(
      checkPermissionSetApplicable(record, { ...PS_SETTINGS, protectedRoleNames: ['etl-nightly-*'] }),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/one of this stack's own roles$/) });
  });
});
