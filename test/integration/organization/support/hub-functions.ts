/**
 * The hub's functions on moto, as the hub stack and index.ts wire them: the hub's own resources
 * (proposals and idempotency tables, the proposals topic and a team channel subscribed to it), each
 * function's own session (its execution role in the hub account, through the accounts proxy), its
 * MemberAccountAccess (support/hub-access.ts) and the diagnose handler in organization mode. Shared
 * by the loop and its fault cases, so both run the very same handler.
 *
 * moto has no SimulatePrincipalPolicy: the diagnose handler's access gets the local simulator, which
 * evaluates what the member's reads returned.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { AwsAuthorizationMessageDecoder } from '../../../../lambda/adapters/aws/aws-authorization-message-decoder';
import { DynamoDbIncidentStore } from '../../../../lambda/adapters/aws/dynamodb-incident-store';
import type { MemberAccountAccess } from '../../../../lambda/adapters/aws/organization/member-account-access';
import { SnsNotifier } from '../../../../lambda/adapters/aws/sns-notifier';
import { LocalPolicySimulator } from '../../../../lambda/adapters/local/local-policy-simulator';
import { InMemoryAuthorizationRecordReader } from '../../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { DEFAULT_APPROVAL_POLICY } from '../../../../lambda/core/approval/requirement';
import { accountDiagnoser } from '../../../../lambda/handlers/diagnose/account-diagnoser';
import { createDiagnoseHandler, type DiagnoseHandler } from '../../../../lambda/handlers/diagnose/handler';
import type { AccountAccess } from '../../../../lambda/ports/account-access';
import type { OrganizationReader } from '../../../../lambda/ports/organization-reader';
import { HUB_ROLE_NAMES } from '../../../../lib/organization/names';
import { RecordingLogger, RecordingMetrics } from '../../../handlers/diagnose/support';
import {
  LOOP_APPROVAL_MODE,
  LOOP_LINK_MAC,
  LOOP_REVIEW_BASE_URL,
  sameRealmErrors,
  type LoopClients,
  type LoopResources,
} from '../../support/remediation-loop';
import { createIdempotencyTable, createProposalsTable } from '../../support/proposal-tables';
import { createQueue, type TestQueue } from '../../support/sqs-queues';
import { hubMemberAccess, managementOrganizationsReader } from './hub-access';
import { EXTERNAL_ID, type HubFunction } from './member-roles';
import { accountClients, identityOf } from './moto-accounts';
import { HUB_REGION, type OrganizationDeployment } from './organization-deployment';

export interface HubFunctionsOptions {
  /** moto itself (the OrganizationsReader reads it as the management account). */
  motoEndpoint: string;
  /** The accounts proxy: every function's call goes through it. */
  proxyEndpoint: string;
  deployment: OrganizationDeployment;
}

/** What the diagnose handler was built with, for the test to look at. */
export interface DiagnoseFunction {
  handler: DiagnoseHandler;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
}

export interface DiagnoseFunctionOptions {
  /** Wraps the access the handler is given (after the local simulator), e.g. to record what it read. */
  wrapAccess?: (access: AccountAccess) => AccountAccess;
}

export interface HubFunctions {
  /** The hub stack's own resources, in the hub account. */
  resources: LoopResources;
  /** The team channel (an SQS queue subscribed to the proposals topic), in the hub account. */
  teamChannel: TestQueue;
  /** What Lambda hands a hub function: its execution role's session, in the hub account. */
  credentials(fn: HubFunction): Promise<Credentials>;
  /** A hub function's own clients, through the proxy. */
  clients(fn: HubFunction): Promise<LoopClients>;
  /** A hub function: its own clients and MemberAccountAccess assuming the member roles with its role. */
  function(fn: HubFunction): Promise<{ own: LoopClients; access: MemberAccountAccess }>;
  /** The product's OrganizationsReader on moto's organization. */
  organizationReader(): OrganizationReader;
  /**
   * The diagnose function in organization mode, as index.ts wires it: the gate admits the denial
   * (account fields, exclusion, Organizations, enrolment) and reads only the admitted account, with
   * its SCP levels, through the member's read role.
   */
  diagnose(
    own: LoopClients,
    access: AccountAccess,
    organization: OrganizationReader,
    options?: DiagnoseFunctionOptions,
  ): DiagnoseFunction;
  destroy(): void;
}

/** moto has no SimulatePrincipalPolicy: the local simulator evaluates what the member's reads returned. */
export function withLocalSimulator(access: AccountAccess): AccountAccess {
  return {
    read: async (accountId) => ({
      ...(await access.read(accountId)),
      simulator: new LocalPolicySimulator(),
    }),
    write: async (accountId, sourceIdentity) => ({
      ...(await access.write(accountId, sourceIdentity)),
      simulator: new LocalPolicySimulator(),
    }),
  };
}

/** Deploys the hub's own resources into the hub account and returns its functions' builders. */
export async function hubFunctions(options: HubFunctionsOptions): Promise<HubFunctions> {
  const { deployment } = options;
  const { organization } = deployment;
  const destroyers: (() => void)[] = [];

  async function credentials(fn: HubFunction): Promise<Credentials> {
    const hubId = organization.hub.id;
    const platform = accountClients(options.proxyEndpoint, hubId);
    destroyers.push(platform.destroy);
    const assumed = await platform.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${hubId}:role/${HUB_ROLE_NAMES[fn]}`,
        RoleSessionName: fn,
      }),
    );
    return assumed.Credentials as Credentials;
  }

  function loopClients(own: Credentials): LoopClients {
    const base = { endpoint: options.proxyEndpoint, region: HUB_REGION, credentials: identityOf(own) };
    const built = {
      iam: new IAMClient({ ...base, maxAttempts: 1 }),
      sts: new STSClient(base),
      dynamodb: new DynamoDBClient(base),
      sns: new SNSClient(base),
      eventBridge: new EventBridgeClient(base),
    };
    sameRealmErrors(built.iam.middlewareStack);
    sameRealmErrors(built.sts.middlewareStack);
    sameRealmErrors(built.dynamodb.middlewareStack);
    sameRealmErrors(built.sns.middlewareStack);
    sameRealmErrors(built.eventBridge.middlewareStack);
    const destroy = (): void => {
      for (const client of Object.values(built)) client.destroy();
    };
    destroyers.push(destroy);
    return { ...built, destroy };
  }

  const clients = async (fn: HubFunction): Promise<LoopClients> => loopClients(await credentials(fn));

  const organizationReader = (): OrganizationReader =>
    managementOrganizationsReader(options.motoEndpoint, organization.managementAccountId);

  // The hub stack's own resources, in the hub account.
  const hub = accountClients(options.motoEndpoint, organization.hub.id);
  destroyers.push(hub.destroy);
  const setup = await clients('diagnose');
  await createProposalsTable(setup.dynamodb, 'passrole-doctor-proposals');
  await createIdempotencyTable(setup.dynamodb, 'passrole-doctor-idempotency');
  const topicArn =
    (await setup.sns.send(new CreateTopicCommand({ Name: 'passrole-doctor-proposals' }))).TopicArn ?? '';
  const teamChannel = await createQueue(hub.sqs, 'team-channel');
  await setup.sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: teamChannel.arn }),
  );
  const resources: LoopResources = {
    proposalsTable: 'passrole-doctor-proposals',
    idempotencyTable: 'passrole-doctor-idempotency',
    topicArn,
    eventBusName: 'default',
  };

  return {
    resources,
    teamChannel,
    credentials,
    clients,
    organizationReader,
    function: async (fn) => {
      const ownCredentials = await credentials(fn);
      const own = loopClients(ownCredentials);
      const built = hubMemberAccess({
        endpoint: options.proxyEndpoint,
        region: HUB_REGION,
        externalId: EXTERNAL_ID,
        ownCredentials,
        roleSessionName: HUB_ROLE_NAMES[fn],
        organization: managementOrganizationsReader(options.motoEndpoint, organization.managementAccountId),
      });
      destroyers.push(built.destroy);
      return { own, access: built.access };
    },
    diagnose: (own, access, reader, diagnoseOptions = {}) => {
      const logger = new RecordingLogger();
      const metrics = new RecordingMetrics();
      const local = withLocalSimulator(access);
      const handler = createDiagnoseHandler({
        accounts: {
          mode: 'organization',
          access: diagnoseOptions.wrapAccess?.(local) ?? local,
          organization: reader,
          policy: { memberOus: organization.memberOus, excludedAccounts: [] },
        },
        diagnoserFor: accountDiagnoser({
          authorizationRecords: new InMemoryAuthorizationRecordReader(),
          approvalPolicy: DEFAULT_APPROVAL_POLICY,
          ownResourceArns: [],
        }),
        decoder: new AwsAuthorizationMessageDecoder(own.sts),
        store: new DynamoDbIncidentStore(own.dynamodb, resources.proposalsTable),
        notifier: new SnsNotifier(own.sns, resources.topicArn),
        idempotencyStore: new DynamoDBPersistenceLayer({
          tableName: resources.idempotencyTable,
          awsSdkV3Client: own.dynamodb,
        }),
        logger,
        metrics,
        settings: {
          proposalTtlHours: 72,
          renotifyAfterHours: 24,
          reviewBaseUrl: LOOP_REVIEW_BASE_URL,
          approvalMode: LOOP_APPROVAL_MODE,
        },
        linkMac: LOOP_LINK_MAC,
      });
      return { handler, logger, metrics };
    },
    destroy: () => {
      for (const destroy of destroyers) destroy();
    },
  };
}
