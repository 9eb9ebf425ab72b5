/**
 * SDK clients of one account on a moto_server that keeps state per account (startMoto with
 * accountPerRequest). moto picks the account of a request from its `x-moto-account-id` header, or from
 * the credentials when AssumeRole returned them: `accountClients` sends the header, `sessionClients`
 * signs with a session's keys and lets moto find the account as AWS would.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, MiddlewareStack } from '@aws-sdk/types';
import { sameRealmErrors } from '../../support/remediation-loop';
import { OrganizationsJsonClient } from './organizations-json';

/** moto's header naming the account a request acts in (server mode). */
export const MOTO_ACCOUNT_HEADER = 'x-moto-account-id';

export interface AccountClients {
  accountId: string;
  region: string;
  iam: IAMClient;
  sts: STSClient;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  organizations: OrganizationsJsonClient;
  destroy(): void;
}

function sendAccountHeader<Input extends object, Output extends object>(
  middlewareStack: MiddlewareStack<Input, Output>,
  accountId: string,
): void {
  middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers[MOTO_ACCOUNT_HEADER] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccountHeader' },
  );
}

function clientsWith(
  endpoint: string,
  region: string,
  credentials: AwsCredentialIdentity,
  accountId: string,
  header: boolean,
): AccountClients {
  const config = { endpoint, region, credentials, maxAttempts: 1 };
  const sdk = {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    sqs: new SQSClient(config),
    eventBridge: new EventBridgeClient(config),
  };
  // One call per client: their middleware stacks have different types.
  sameRealmErrors(sdk.iam.middlewareStack);
  sameRealmErrors(sdk.sts.middlewareStack);
  sameRealmErrors(sdk.sqs.middlewareStack);
  sameRealmErrors(sdk.eventBridge.middlewareStack);
  if (header) {
    sendAccountHeader(sdk.iam.middlewareStack, accountId);
    sendAccountHeader(sdk.sts.middlewareStack, accountId);
    sendAccountHeader(sdk.sqs.middlewareStack, accountId);
    sendAccountHeader(sdk.eventBridge.middlewareStack, accountId);
  }
  const organizations = new OrganizationsJsonClient(endpoint, credentials, header ? accountId : null);
  return {
    accountId,
    region,
    ...sdk,
    organizations,
    destroy: () => {
      for (const client of Object.values(sdk)) client.destroy();
    },
  };
}

/** Clients acting in `accountId` (moto's header), with the suite's fake keys. */
export function accountClients(endpoint: string, accountId: string, region = 'us-east-1'): AccountClients {
  return clientsWith(
    endpoint,
    region,
    { accessKeyId: 'testing', secretAccessKey: 'testing' },
    accountId,
    true,
  );
}

/** Clients signing with an assumed-role session's keys: moto acts in the session's account. */
export function sessionClients(
  endpoint: string,
  credentials: Credentials,
  accountId: string,
  region = 'us-east-1',
): AccountClients {
  return clientsWith(endpoint, region, identityOf(credentials), accountId, false);
}

export function identityOf(credentials: Credentials): AwsCredentialIdentity {
  return {
    accessKeyId: credentials.AccessKeyId ?? '',
    secretAccessKey: credentials.SecretAccessKey ?? '',
    sessionToken: credentials.SessionToken ?? '',
    ...(credentials.Expiration !== undefined ? { expiration: credentials.Expiration } : {}),
  };
}
