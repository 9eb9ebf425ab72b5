/**
 * The only Identity Center writes: a permission set's inline policy, and its provisioning to ONE
 * account (TargetType AWS_ACCOUNT, never ALL_PROVISIONED_ACCOUNTS). In organization mode the client
 * carries the management account's apply role, which IAM lets write only sets carrying the managed tag.
 */
import {
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { IdentityCenterError } from '../../../core/errors';
import type { PermissionSetRef, ProvisioningStatus } from '../../../core/identity-center/model';
import type { IdentityCenterWriter } from '../../../ports/identity-center';
import { ACCOUNT_ID_PATTERN } from '../../../settings/organization';
import { identityCenterError } from './errors';
import { decodeProvisioningStatus } from './wire';

export class SsoAdminIdentityCenterWriter implements IdentityCenterWriter {
  constructor(private readonly ssoAdmin: SSOAdminClient) {}

  async putInlinePolicy(ref: PermissionSetRef, policy: string): Promise<void> {
    try {
      await this.ssoAdmin.send(
        new PutInlinePolicyToPermissionSetCommand({
          InstanceArn: ref.instanceArn,
          PermissionSetArn: ref.permissionSetArn,
          InlinePolicy: policy,
        }),
      );
    } catch (error) {
      throw identityCenterError(error, 'sso:PutInlinePolicyToPermissionSet', `permission set ${ref.name}`);
    }
  }

  async provision(ref: PermissionSetRef, accountId: string): Promise<ProvisioningStatus> {
    const operation = 'sso:ProvisionPermissionSet';
    // Never sent: without a valid TargetId the request could not name one account.
    if (!ACCOUNT_ID_PATTERN.test(accountId)) {
      throw new IdentityCenterError(
        `${operation}: '${accountId}' is not a 12-digit account id; nothing provisioned`,
        operation,
        'malformed',
      );
    }
    let answer;
    try {
      answer = await this.ssoAdmin.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: ref.instanceArn,
          PermissionSetArn: ref.permissionSetArn,
          TargetType: 'AWS_ACCOUNT',
          TargetId: accountId,
        }),
      );
    } catch (error) {
      throw identityCenterError(error, operation, `permission set ${ref.name} to account ${accountId}`);
    }
    return decodeProvisioningStatus(answer.PermissionSetProvisioningStatus, operation, {
      permissionSetArn: ref.permissionSetArn,
      accountId,
    });
  }
}
