import { blastRadiusOf, peopleExact } from '../../../lambda/core/identity-center/blast-radius';
import type { PermissionSetAssignment } from '../../../lambda/core/identity-center/model';

const userAssigned = (name: string | null, id = `u-${name ?? 'x'}`): PermissionSetAssignment => ({
  principalType: 'USER',
  principalId: id,
  displayName: name,
  memberCount: 1,
  memberNames: [],
});
const groupAssigned = (
  name: string,
  memberCount: number | null,
  memberNames: string[] = [],
): PermissionSetAssignment => ({
  principalType: 'GROUP',
  principalId: `g-${name}`,
  displayName: name,
  memberCount,
  memberNames,
});

describe('blastRadiusOf', () => {
  it('counts a person assigned directly and through a group once, when every name is known', () => {
    const radius = blastRadiusOf(
      [userAssigned('mei'), groupAssigned('Data_Engineers', 2, ['mei', 'ravi'])],
      ['111122223333', '444455556666', '111122223333'],
    );
    expect(radius).toMatchObject({ people: 2, accounts: 2 });
    expect(peopleExact(radius)).toBe(true);
  });

  it('sums the sizes when members are not all named: an upper bound, said to be one', () => {
    const radius = blastRadiusOf([userAssigned('mei'), groupAssigned('Analysts', 30, ['mei'])], ['1']);
    expect(radius.people).toBe(31);
    expect(peopleExact(radius)).toBe(false);
  });

  it('a group of unknown size makes the number of people unknown', () => {
    const radius = blastRadiusOf([userAssigned('mei'), groupAssigned('Analysts', null)], ['1']);
    expect(radius.people).toBeNull();
    expect(peopleExact(radius)).toBe(false);
  });

  it('one assignment is exact even without names; no assignment is nobody', () => {
    expect(peopleExact(blastRadiusOf([groupAssigned('Ops', 7)], []))).toBe(true);
    expect(blastRadiusOf([], [])).toEqual({ people: 0, accounts: 0, assignments: [] });
  });
});
