/**
 * Separation of duties for a permission set (separation.ts, identity-center-separation.ts): an
 * Identity Center user assigned the set in the denial's account, directly or through a group, may
 * not approve it; one whose assignment or groups cannot be read may not either; anyone else may.
 * The reader is an in-memory fake of the IdentityCenterReader port.
 */
import { readIdentityCenterSeparation } from '../../../lambda/core/approval/identity-center-separation';
import {
  selfApproval,
  type IdentityCenterSeparation,
  type SeparationFacts,
} from '../../../lambda/core/approval/separation';
import { refusalSentence } from '../../../lambda/core/approval/views';
import { TransientAwsError } from '../../../lambda/core/errors';
import type { PermissionSetAssignment, PermissionSetRef } from '../../../lambda/core/identity-center/model';
import type { IdentityCenterReader } from '../../../lambda/ports/identity-center';

const HUB = '111122223333';
const MEMBER = '222233334444';
const SET_NAME = 'Data_Engineers';
const TARGET = {
  type: 'permission-set' as const,
  name: SET_NAME,
  arn: null,
  instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef',
};
const DENIAL = {
  principalArn: `arn:aws:sts::${MEMBER}:assumed-role/AWSReservedSSO_${SET_NAME}_0a1b2c3d4e5f6a7b/mei`,
  policySourceArn: `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${SET_NAME}_0a1b2c3d4e5f6a7b`,
};
/** An approver's Identity Center session in the hub account, through the approvers' own set. */
const icApprover = (user: string) =>
  `arn:aws:sts::${HUB}:assumed-role/AWSReservedSSO_SecurityApprovers_9f8e7d6c5b4a3f2e/${user}`;
const IAM_APPROVER = `arn:aws:sts::${HUB}:assumed-role/SecurityApprover/ops-session`;

const ASSIGNMENTS: PermissionSetAssignment[] = [
  { principalType: 'USER', principalId: 'u-kenji', displayName: 'kenji', memberCount: 1, memberNames: [] },
  {
    principalType: 'GROUP',
    principalId: 'g-data',
    displayName: 'data-engineers',
    memberCount: 12,
    memberNames: [],
  },
];
const USERS: Record<string, { userId: string; groupIds: string[] }> = {
  kenji: { userId: 'u-kenji', groupIds: ['g-ops'] },
  aiko: { userId: 'u-aiko', groupIds: ['g-security', 'g-data'] },
  ravi: { userId: 'u-ravi', groupIds: ['g-security'] },
};

/** An in-memory IdentityCenterReader: only what separation of duties reads. */
function fakeReader(overrides: Partial<IdentityCenterReader> = {}) {
  const calls: string[] = [];
  const reader: IdentityCenterReader = {
    permissionSet: () => Promise.reject(new Error('not read here')),
    definition: () => Promise.reject(new Error('not read here')),
    provisionedAccounts: () => Promise.reject(new Error('not read here')),
    provisioningStatus: () => Promise.reject(new Error('not read here')),
    assignments: (ref: PermissionSetRef, accountId: string) => {
      calls.push(`assignments ${ref.permissionSetArn} ${accountId}`);
      return Promise.resolve(ASSIGNMENTS);
    },
    userMemberships: (userName: string) => {
      calls.push(`memberships ${userName}`);
      return Promise.resolve(USERS[userName.toLowerCase()] ?? null);
    },
    ...overrides,
  };
  return { reader, calls };
}

async function factsFor(
  deciders: string[],
  reader: IdentityCenterReader | undefined,
): Promise<SeparationFacts & { identityCenter?: IdentityCenterSeparation }> {
  const identityCenter = await readIdentityCenterSeparation(reader, TARGET, MEMBER, deciders);
  return {
    denial: DENIAL,
    target: TARGET,
    gainers: [],
    ...(identityCenter !== undefined ? { identityCenter } : {}),
  };
}

describe('separation of duties for a permission set', () => {
  it('refuses an Identity Center user assigned the set directly', async () => {
    const { reader } = fakeReader();
    const caller = icApprover('kenji');
    expect(selfApproval(caller, await factsFor([caller], reader))).toEqual({
      reason: 'assigned-the-set',
      principal: 'identity-center-user:kenji',
    });
  });

  it('refuses one assigned through a group it belongs to, naming the group', async () => {
    const { reader } = fakeReader();
    const caller = icApprover('Aiko');
    const refusal = selfApproval(caller, await factsFor([caller], reader));
    expect(refusal).toEqual({
      reason: 'assigned-the-set',
      principal: 'identity-center-group:data-engineers',
    });
    expect(
      refusalSentence({
        kind: 'self-approval',
        caller,
        ...(refusal ?? { reason: 'denied-entity', principal: '' }),
      }),
    ).toBe(
      `${caller} may not approve this grant: it is assigned the permission set in this account and would gain the permission itself (identity-center-group:data-engineers). Someone who does not gain it must approve. Nothing was changed.`,
    );
  });

  it('lets an Identity Center user who is not assigned the set approve it', async () => {
    const { reader, calls } = fakeReader();
    const caller = icApprover('ravi');
    expect(selfApproval(caller, await factsFor([caller], reader))).toBeNull();
    // The denial's account and the set the proposal names; the session's own spelling of the user.
    expect(calls.sort()).toEqual([`assignments ${TARGET.permissionSetArn} ${MEMBER}`, 'memberships ravi']);
  });

  it('refuses when the assignments cannot be read, saying why', async () => {
    const { reader } = fakeReader({ assignments: () => Promise.reject(new Error('AccessDeniedException')) });
    const caller = icApprover('ravi');
    expect(selfApproval(caller, await factsFor([caller], reader))).toEqual({
      reason: 'assignment-unknown',
      principal: `the assignments of ${SET_NAME} in ${MEMBER} could not be read: AccessDeniedException`,
    });
  });

  it("refuses when the user's groups cannot be read, or Identity Center has no such user", async () => {
    const failing = fakeReader({ userMemberships: () => Promise.reject(new Error('ThrottlingException')) });
    const caller = icApprover('ravi');
    expect(selfApproval(caller, await factsFor([caller], failing.reader))).toEqual({
      reason: 'assignment-unknown',
      principal: 'the groups of ravi could not be read: ThrottlingException',
    });
    const stranger = icApprover('nobody');
    expect(selfApproval(stranger, await factsFor([stranger], fakeReader().reader))).toEqual({
      reason: 'assignment-unknown',
      principal: 'Identity Center has no user named nobody',
    });
  });

  it('refuses an Identity Center user when Identity Center is not configured, or nothing was read', async () => {
    const caller = icApprover('ravi');
    expect(selfApproval(caller, await factsFor([caller], undefined))?.reason).toBe('assignment-unknown');
    expect(selfApproval(caller, { denial: DENIAL, target: TARGET, gainers: [] })).toEqual({
      reason: 'assignment-unknown',
      principal: "the permission set's assignments were not read",
    });
  });

  it('reads nothing for IAM approvers, who gain nothing from the set', async () => {
    const { reader, calls } = fakeReader();
    expect(await readIdentityCenterSeparation(reader, TARGET, MEMBER, [IAM_APPROVER])).toBeUndefined();
    expect(calls).toEqual([]);
    expect(selfApproval(IAM_APPROVER, await factsFor([IAM_APPROVER], reader))).toBeNull();
  });

  it('reads each decider once (the caller and a first approver) and holds the first to it too', async () => {
    const { reader, calls } = fakeReader();
    const first = icApprover('aiko');
    const second = icApprover('ravi');
    const facts = await factsFor([second, first, icApprover('AIKO')], reader);
    expect(calls.filter((call) => call.startsWith('memberships')).sort()).toEqual([
      'memberships aiko',
      'memberships ravi',
    ]);
    expect(selfApproval(second, facts)).toBeNull();
    expect(selfApproval(first, facts)?.reason).toBe('assigned-the-set');
  });

  it('lets a transient failure propagate (nothing is decided; try again)', async () => {
    const { reader } = fakeReader({
      assignments: () => Promise.reject(new TransientAwsError('ListAccountAssignments throttled')),
    });
    await expect(readIdentityCenterSeparation(reader, TARGET, MEMBER, [icApprover('ravi')])).rejects.toThrow(
      TransientAwsError,
    );
  });

  it('reads nothing for other targets', async () => {
    const { reader, calls } = fakeReader();
    const role = { ...TARGET, type: 'role' as const };
    expect(await readIdentityCenterSeparation(reader, role, MEMBER, [icApprover('kenji')])).toBeUndefined();
    expect(calls).toEqual([]);
  });
});
