import { SingleAccountAccess } from '../../lambda/adapters/single-account-access';
import { MemberAccessError } from '../../lambda/core/errors';
import type { AccountReadAccess } from '../../lambda/ports/account-access';
import type { PolicyWriter } from '../../lambda/ports/policy-writer';

const unused = (): never => {
  throw new Error('not called in this test');
};
const access: AccountReadAccess = {
  accountId: '111122223333',
  accountReader: { loadScope: unused },
  escalationReader: { readEscalationInputs: unused },
  instanceProfiles: { instanceProfileRole: unused },
  rolePaths: { rolePath: unused },
  simulator: { simulate: unused },
};
const writer: PolicyWriter = { putInlinePolicy: unused, getInlinePolicy: unused };

describe('SingleAccountAccess', () => {
  test('gives its own account the clients it was built with', async () => {
    const single = new SingleAccountAccess(access, writer);
    await expect(single.read('111122223333')).resolves.toBe(access);
    await expect(single.write('111122223333', 'alice')).resolves.toMatchObject({ writer });
  });

  test('refuses another account, for reads and writes', async () => {
    const single = new SingleAccountAccess(access, writer);
    await expect(single.read('444455556666')).rejects.toMatchObject({
      name: 'MemberAccessError',
      accountId: '444455556666',
      reason: 'not-this-account',
    });
    await expect(single.write('444455556666', 'alice')).rejects.toBeInstanceOf(MemberAccessError);
  });

  test('a function built without a writer refuses to write', async () => {
    await expect(new SingleAccountAccess(access).write('111122223333', 'alice')).rejects.toMatchObject({
      reason: 'access-denied',
    });
  });
});
