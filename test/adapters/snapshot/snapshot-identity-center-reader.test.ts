import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotIdentityCenterReader } from '../../../lambda/adapters/snapshot/snapshot-identity-center-reader';
import {
  InvalidInputError,
  InvalidSnapshotError,
  describeInvalidInputLines,
} from '../../../lambda/core/errors';
import type { PermissionSetRef } from '../../../lambda/core/identity-center/model';

const FIXTURE = join(__dirname, '../../fixtures/identity-center/snapshot.json');
const INSTANCE = 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6';
const ENGINEER: PermissionSetRef = {
  instanceArn: INSTANCE,
  permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-0a1b2c3d4e5f6a7b',
  name: 'DataEngineer',
};
const scratch = () => mkdtempSync(join(tmpdir(), 'prd-ic-'));

describe('SnapshotIdentityCenterReader', () => {
  it('resolves a set by its exact name, `_` included; null for a name the file does not hold', async () => {
    const reader = await SnapshotIdentityCenterReader.fromFile(FIXTURE);
    expect(await reader.permissionSet('DataEngineer')).toEqual(ENGINEER);
    expect(await reader.permissionSet('Data_Engineer_Prod')).toEqual({
      instanceArn: INSTANCE,
      permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-1b2c3d4e5f6a7b8c',
      name: 'Data_Engineer_Prod',
    });
    expect(await reader.permissionSet('Data')).toBeNull();
    expect(await reader.permissionSet('Data_Engineer')).toBeNull();
  });

  it('answers the definition, provisioned accounts and assignments as saved, as copies', async () => {
    const reader = await SnapshotIdentityCenterReader.fromFile(FIXTURE);
    const definition = await reader.definition(ENGINEER);
    expect(definition.tags).toEqual({ 'passrole-doctor:managed': 'true', team: 'data' });
    definition.tags['passrole-doctor:managed'] = 'false';
    expect((await reader.definition(ENGINEER)).tags['passrole-doctor:managed']).toBe('true');
    expect(await reader.provisionedAccounts(ENGINEER)).toEqual(['123456789012', '210987654321']);
    const assignments = await reader.assignments(ENGINEER, '123456789012');
    expect(assignments.map((assignment) => assignment.displayName)).toEqual([
      'Data <Engineers> & Analysts',
      'li.wei@example.com',
    ]);
    expect(await reader.assignments(ENGINEER, '999999999999')).toEqual([]);
  });

  it("answers a listed user's groups, and refuses (never null) for a user the snapshot did not read", async () => {
    const reader = await SnapshotIdentityCenterReader.fromFile(FIXTURE);
    expect(await reader.userMemberships('omar_f@example.com')).toEqual({
      userId: 'e6b0a6da-3243-72e9-3d20-bc9d8e7f6051',
      groupIds: ['94482488-3041-7026-18f0-5e8d5e4d1a2b'],
    });
    await expect(reader.userMemberships('stranger@example.com')).rejects.toThrow(
      `${FIXTURE}: the Identity Center snapshot did not read the groups of user stranger@example.com`,
    );
  });

  it('refuses a set the file does not hold, and any provisioning status: nothing is provisioned offline', async () => {
    const reader = await SnapshotIdentityCenterReader.fromFile(FIXTURE);
    await expect(
      reader.definition({ ...ENGINEER, permissionSetArn: `${ENGINEER.permissionSetArn}0` }),
    ).rejects.toThrow(InvalidInputError);
    await expect(reader.provisioningStatus(ENGINEER, 'req-1')).rejects.toThrow(
      /nothing is provisioned offline/,
    );
  });

  it('a missing file, a file that is not JSON: one InvalidInputError naming the file', async () => {
    const dir = scratch();
    await expect(SnapshotIdentityCenterReader.fromFile(join(dir, 'absent.json'))).rejects.toThrow(
      'cannot read the Identity Center snapshot (no such file)',
    );
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "format": ');
    await expect(SnapshotIdentityCenterReader.fromFile(notJson)).rejects.toMatchObject({
      where: notJson,
      message: 'the Identity Center snapshot is not JSON',
    });
  });

  it('a malformed snapshot: one line per problem, each with the file and the JSON path', async () => {
    const path = join(scratch(), 'ic.json');
    writeFileSync(
      path,
      JSON.stringify({
        format: 'passrole-doctor/identity-center-snapshot',
        version: 1,
        takenAt: '2026-06-20T04:00:00Z',
        instanceArn: INSTANCE,
        identityStoreId: 'd-1',
        permissionSets: [{ definition: {}, provisionedAccounts: [], assignments: {} }],
        userMemberships: 'none',
      }),
    );
    const error = await SnapshotIdentityCenterReader.fromFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidSnapshotError);
    expect(describeInvalidInputLines(error as InvalidSnapshotError)).toEqual([
      `${path}: permissionSets[0].definition.instanceArn: must be a non-empty string`,
      `${path}: permissionSets[0].definition.permissionSetArn: must be a non-empty string`,
      `${path}: permissionSets[0].definition.tags: must be an object`,
      `${path}: permissionSets[0].definition.name: must be a permission set name (1 to 32 of A-Z a-z 0-9 _+=,.@-)`,
      `${path}: permissionSets[0].definition.inlinePolicy: must be a string or null`,
      `${path}: permissionSets[0].definition.managedPolicyArns: must be a list`,
      `${path}: permissionSets[0].definition.customerManagedPolicies: must be a list`,
      `${path}: permissionSets[0].definition.boundary: must be an object`,
      `${path}: permissionSets[0].definition.boundary.kind: must be 'managed' or 'customer-managed' (or the boundary null)`,
      `${path}: userMemberships: must be a list`,
    ]);
  });
});
