import { join } from 'node:path';
import { loadScpFiles } from '../../../lambda/adapters/local/scp-files';
import { InvalidInputError } from '../../../lambda/core/errors';

const scpDir = join(__dirname, '../../fixtures/scp');
const fixture = (name: string): string => join(scpDir, name);

describe('loadScpFiles', () => {
  it('reads policy documents in order, named after their files', async () => {
    const scps = await loadScpFiles([fixture('full-aws-access.json'), fixture('deny-passrole.json')]);
    expect(scps.map((scp) => scp.name)).toEqual(['full-aws-access', 'deny-passrole']);
    expect(scps[1]?.document.Statement).toEqual([
      { Sid: 'AllowAll', Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'DenyPassRole', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
    ]);
  });

  it('reads `aws organizations describe-policy` output, named after the policy', async () => {
    const [scp] = await loadScpFiles([fixture('describe-policy-no-passrole.json')]);
    expect(scp?.name).toBe('NoPassRole');
    expect(scp?.document).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowAll', Effect: 'Allow', Action: '*', Resource: '*' },
        { Sid: 'DenyPassRole', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
      ],
    });
  });

  it.each([
    ['missing.json', /Cannot read SCP file .*missing\.json/],
    ['invalid/not-json.json', /SCP file .*not-json\.json is not JSON/],
    ['invalid/array.json', /array\.json does not hold a policy document/],
    ['invalid/no-statement.json', /no-statement\.json has no Statement/],
    ['invalid/bad-effect.json', /bad-effect\.json: statement 0 needs an Effect/],
  ])('rejects %s with an InvalidInputError naming the file', async (name, message) => {
    const error: unknown = await loadScpFiles([fixture('full-aws-access.json'), fixture(name)]).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(message);
    expect((error as InvalidInputError).where).toContain(fixture(name));
  });
});
