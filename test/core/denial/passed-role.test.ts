/** Which role a denied request passed, and the notes that say how it was told: a value, no out-parameter. */
import { roleArnFrom } from '../../../lambda/core/iam/arn';
import { parseErrorMessage } from '../../../lambda/core/denial';
import { resolvePassedRole, type PassedRoleInput } from '../../../lambda/core/denial/passed-role';
import { ACCOUNT, passRoleMessage } from './helpers';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;

function input(resource: string, requestParameters: unknown): PassedRoleInput {
  return {
    parsed: parseErrorMessage(passRoleMessage(resource, '')),
    decoded: null,
    requestParameters,
    eventSource: 'glue.amazonaws.com',
    eventName: 'UpdateJob',
    expand: (nameOrArn) => roleArnFrom(nameOrArn, 'aws', ACCOUNT),
  };
}

describe('resolvePassedRole', () => {
  it('takes the role the message names, and the parameter that carried it, without a note', () => {
    expect(resolvePassedRole(input(ROLE, { jobUpdate: { role: ROLE } }))).toEqual({
      value: { roleArn: ROLE, roleParameter: 'jobUpdate.role' },
      notes: [],
    });
  });

  it('expands a role the message names by name, and says so', () => {
    expect(
      resolvePassedRole(input('etl-nightly-runtime', { jobUpdate: { role: 'etl-nightly-runtime' } })),
    ).toEqual({
      value: { roleArn: ROLE, roleParameter: 'jobUpdate.role' },
      notes: [`errorMessage names the role as 'etl-nightly-runtime': read as ${ROLE}`],
    });
  });

  it('gives the notes in the order they were met, and the same ones for the same input', () => {
    const hidden = input('*', { jobUpdate: { role: 'HIDDEN_DUE_TO_SECURITY_REASONS' } });
    const expected = {
      value: { roleArn: null, roleParameter: undefined },
      notes: [
        'requestParameters.jobUpdate.role is hidden by CloudTrail',
        "errorMessage names resource '*', not a role",
        'neither errorMessage nor requestParameters names the passed role',
      ],
    };
    expect(resolvePassedRole(hidden)).toEqual(expected);
    expect(resolvePassedRole(hidden)).toEqual(expected);
  });

  it('says when the record has no request parameters', () => {
    expect(resolvePassedRole(input(ROLE, null)).notes).toEqual(['requestParameters is null']);
  });
});
