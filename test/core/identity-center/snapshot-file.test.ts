import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IDENTITY_CENTER_SNAPSHOT_FORMAT,
  parseIdentityCenterSnapshot,
  type IdentityCenterSnapshot,
} from '../../../lambda/core/identity-center/snapshot-file';

const FIXTURE = join(__dirname, '../../fixtures/identity-center/snapshot.json');
const valid = (): IdentityCenterSnapshot =>
  JSON.parse(readFileSync(FIXTURE, 'utf8')) as IdentityCenterSnapshot;
/** The fixture with `edit` applied to a copy. */
function edited(edit: (snapshot: Record<string, unknown> & IdentityCenterSnapshot) => void): unknown {
  const copy = valid() as Record<string, unknown> & IdentityCenterSnapshot;
  edit(copy);
  return copy;
}
const problemsOf = (value: unknown): string[] => {
  const parsed = parseIdentityCenterSnapshot(value);
  return parsed.kind === 'invalid' ? parsed.problems : [];
};

describe('parseIdentityCenterSnapshot', () => {
  it('reads the fixture whole: sets with definitions, accounts, assignments by account, memberships', () => {
    const parsed = parseIdentityCenterSnapshot(valid());
    expect(parsed.kind).toBe('parsed');
    if (parsed.kind !== 'parsed') return;
    expect(parsed.snapshot).toEqual(valid());
    const [engineer, prod] = parsed.snapshot.permissionSets;
    expect(engineer?.assignments['123456789012']?.[0]?.displayName).toBe('Data <Engineers> & Analysts');
    expect(engineer?.assignments['210987654321']?.[0]?.memberCount).toBeNull();
    expect(prod?.definition.name).toBe('Data_Engineer_Prod');
    expect(prod?.definition.boundary).toEqual({
      kind: 'managed',
      managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
  });

  it('ignores fields it does not know (a version may grow)', () => {
    const parsed = parseIdentityCenterSnapshot(
      edited((snapshot) => {
        snapshot['region'] = 'eu-west-1';
      }),
    );
    expect(parsed.kind).toBe('parsed');
  });

  it('refuses something that is not a snapshot, or another format, in one line', () => {
    expect(problemsOf([])).toEqual(['(top level): not an Identity Center snapshot (expected a JSON object)']);
    expect(problemsOf({ UserDetailList: [] })).toEqual([
      `format: not an Identity Center snapshot (expected "${IDENTITY_CENTER_SNAPSHOT_FORMAT}", the format 'passrole-doctor snapshot --identity-center' writes)`,
    ]);
  });

  it('refuses a version it does not read rather than half-read it', () => {
    expect(problemsOf(edited((snapshot) => void Object.assign(snapshot, { version: 2 })))).toEqual([
      'version: 2 is not a version this passrole-doctor reads (it reads 1)',
    ]);
  });

  it('reports every problem at once, one line each, naming its JSON path', () => {
    const problems = problemsOf(
      edited((snapshot) => {
        const [engineer, prod] = snapshot.permissionSets as unknown as Record<
          string,
          Record<string, unknown>
        >[];
        Object.assign(engineer?.['definition'] ?? {}, { inlinePolicy: 7, tags: { team: 1 } });
        Object.assign(engineer ?? {}, { provisionedAccounts: ['12345'] });
        Object.assign(prod?.['definition'] ?? {}, {
          name: 'Data Engineer',
          boundary: { kind: 'inline' },
          instanceArn: 'arn:aws:sso:::instance/ssoins-other',
        });
        Object.assign(prod ?? {}, {
          assignments: {
            'not-an-account': [{ principalType: 'ROLE', principalId: '', memberCount: -1, memberNames: [] }],
          },
        });
        Object.assign(snapshot, { takenAt: 'yesterday' });
      }),
    );
    expect(problems).toEqual([
      'takenAt: must be an ISO 8601 time',
      'permissionSets[0].definition.tags.team: must be a string',
      'permissionSets[0].definition.inlinePolicy: must be a string or null',
      'permissionSets[0].provisionedAccounts[0]: must be a 12-digit account id',
      "permissionSets[1].definition.instanceArn: must be the snapshot's instance arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6",
      'permissionSets[1].definition.name: must be a permission set name (1 to 32 of A-Z a-z 0-9 _+=,.@-)',
      "permissionSets[1].definition.boundary.kind: must be 'managed' or 'customer-managed' (or the boundary null)",
      'permissionSets[1].assignments.not-an-account: must be keyed by a 12-digit account id',
      "permissionSets[1].assignments.not-an-account[0].principalType: must be 'USER' or 'GROUP'",
      'permissionSets[1].assignments.not-an-account[0].memberCount: must be a whole number of 0 or more, or null',
      'permissionSets[1].assignments.not-an-account[0].principalId: must be a non-empty string',
      'permissionSets[1].assignments.not-an-account[0].displayName: must be a string or null',
    ]);
  });

  it('refuses two sets of one name (a name resolves to one set) and a user listed twice', () => {
    const problems = problemsOf(
      edited((snapshot) => {
        const [engineer] = snapshot.permissionSets;
        if (engineer === undefined) return;
        snapshot.permissionSets.push({
          ...engineer,
          definition: {
            ...engineer.definition,
            permissionSetArn: `${engineer.definition.permissionSetArn}9`,
          },
        });
        const [user] = snapshot.userMemberships;
        if (user !== undefined) snapshot.userMemberships.push(user);
      }),
    );
    expect(problems).toEqual([
      `permissionSets[2].definition.name: repeats permissionSets[0]'s "DataEngineer"`,
      `userMemberships[3].userName: repeats userMemberships[0]'s "li.wei@example.com"`,
    ]);
  });

  it('requires a user assignment to count one person', () => {
    expect(
      problemsOf(
        edited((snapshot) => {
          const user = snapshot.permissionSets[0]?.assignments['123456789012']?.[1];
          if (user !== undefined) user.memberCount = 2;
        }),
      ),
    ).toEqual(['permissionSets[0].assignments.123456789012[1].memberCount: must be 1 for a user']);
  });
});
