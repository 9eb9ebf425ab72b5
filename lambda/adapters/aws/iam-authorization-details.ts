/**
 * The account's users and roles from one paginated iam:GetAccountAuthorizationDetails, for the
 * approval function's interim EscalationReader (group members, role paths). Not memoized: a member
 * added since the last request must count.
 */
import { paginateGetAccountAuthorizationDetails, type IAMClient } from '@aws-sdk/client-iam';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import type { AuthorizationDetails } from '../authorization-details';
import { isTransientAwsFailure } from './aws-account-reader';

export async function readUsersAndRoles(iam: IAMClient): Promise<AuthorizationDetails> {
  const details: Required<Pick<AuthorizationDetails, 'UserDetailList' | 'RoleDetailList'>> = {
    UserDetailList: [],
    RoleDetailList: [],
  };
  try {
    const pages = paginateGetAccountAuthorizationDetails(
      { client: iam, pageSize: 1000 },
      { Filter: ['User', 'Role'] },
    );
    for await (const page of pages) {
      details.UserDetailList.push(...(page.UserDetailList ?? []));
      details.RoleDetailList.push(...(page.RoleDetailList ?? []));
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = `iam:GetAccountAuthorizationDetails failed (${name})`;
    throw isTransientAwsFailure(error)
      ? new TransientAwsError(message, { cause: error })
      : new AwsCallError(message, { cause: error });
  }
  return details;
}
