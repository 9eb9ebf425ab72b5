/**
 * The service control policy shipped with the stack. The stack's resource policies deny what they
 * can govern, but anyone who can rewrite the functions, invoke them with a made-up requestContext,
 * change their roles, or change the policies themselves can undo any of it, and only an SCP (from the
 * organization's management account) denies those to the account's own administrators. It denies,
 * to every principal but the deploy role (and, for what the stack itself does, the stack's roles):
 *
 * - changing, deleting or directly invoking the stack's functions, and mapping event sources to them;
 * - changing, passing, deleting or creating (by name) the stack's roles and managed policies;
 * - changing the stack's KMS keys (found by their `passrole-doctor:stack` tag) and key aliases;
 * - writing to the stack's tables or changing their policies, deleting them;
 * - publishing to, subscribing to or changing the topic; sending to or changing the queues;
 * - putting events on, or changing, the stack's bus; changing the stack's rules and alarms.
 *
 * Resources are matched by the names CloudFormation gives them (`<stack name>-<logical id>-<suffix>`),
 * so the SCP can be written before the stack exists. SCPs never restrict service principals or
 * service-linked roles: EventBridge, CloudWatch, API Gateway and Chatbot keep working.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Token, type Stack } from 'aws-cdk-lib';
import { STACK_TAG_KEY } from './constructs/approval-keys';
import { proposalEventsBusName } from './constructs/proposal-events-bus';
import { TABLE_WRITE_ACTIONS } from './constructs/proposal-tables';

export interface ProtectionScpOptions {
  /** The main stack's name (e.g. PassRoleDoctor): every resource name starts with it. */
  readonly stackName: string;
  /** The account's id. @default '*' (the SCP then applies to each account it is attached to) */
  readonly account?: string;
  /** The stack's region. @default '*' */
  readonly region?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /**
   * The role CloudFormation deploys with.
   * @default the CDK bootstrap's cfn-exec role (qualifier hnb659fds) of the account and region
   */
  readonly deployRoleArn?: string;
  /**
   * Organization mode: the hub's bus (named apart from the stack's names, as the member template
   * targets it by ARN). Changing it or its rules is denied like the stack's own bus. @default none
   */
  readonly hubBusName?: string;
}

export interface ScpStatement {
  Sid: string;
  Effect: 'Deny';
  Action: string[];
  Resource: string[];
  Condition: Record<string, Record<string, string | string[]>>;
}

export interface ScpDocument {
  Version: '2012-10-17';
  Statement: ScpStatement[];
}

/** Organizations' limit for one SCP's JSON (minified). */
export const SCP_MAX_CHARACTERS = 5120;

/** The SCP protecting one PassRole Doctor stack; JSON.stringify it for Organizations. */
export function buildProtectionScp(options: ProtectionScpOptions): ScpDocument {
  const partition = options.partition ?? 'aws';
  const account = options.account ?? '*';
  const region = options.region ?? '*';
  const name = options.stackName;
  const arn = (service: string, resource: string, inRegion = true) =>
    `arn:${partition}:${service}:${inRegion ? region : ''}:${account}:${resource}`;
  const deployRole =
    options.deployRoleArn ?? arn('iam', `role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`, false);
  const ownRoles = arn('iam', `role/${name}-*`, false);
  const functions = arn('lambda', `function:${name}-*`);

  const deny = (
    sid: string,
    actions: string[],
    resources: string[],
    except: string[],
    extra: Record<string, Record<string, string | string[]>> = {},
  ): ScpStatement => ({
    Sid: sid,
    Effect: 'Deny',
    Action: actions,
    Resource: resources,
    Condition: { ...extra, ArnNotLike: { 'aws:PrincipalArn': except } },
  });
  const tables = arn('dynamodb', `table/${name}-*`);
  const topics = arn('sns', `${name}-*`);
  const queues = arn('sqs', `${name}-*`);
  const bus = arn('events', `event-bus/${proposalEventsBusName(name)}`);

  // Statements are merged by who is excepted, to keep under Organizations' size limit: an action of
  // one service never matches another service's resource, so the union denies nothing more.
  return {
    Version: '2012-10-17',
    Statement: [
      deny(
        'ProtectTheStacksResources',
        [
          'lambda:Update*',
          'lambda:Delete*',
          'lambda:Put*',
          'lambda:*Permission',
          'lambda:Create*',
          'lambda:PublishVersion',
          'lambda:*Resource',
          'iam:PassRole',
          'iam:Create*',
          'iam:Delete*',
          'iam:Update*',
          'iam:Put*',
          'iam:Attach*',
          'iam:Detach*',
          'iam:Tag*',
          'iam:Untag*',
          'iam:SetDefaultPolicyVersion',
          'kms:*Alias',
          'dynamodb:PutResourcePolicy',
          'dynamodb:DeleteResourcePolicy',
          'dynamodb:CreateTable',
          'dynamodb:DeleteTable',
          'dynamodb:UpdateTable',
          'dynamodb:RestoreTable*',
          'sns:Subscribe',
          'sns:SetTopicAttributes',
          'sns:*Permission',
          'sns:*Topic',
          'sqs:SetQueueAttributes',
          'sqs:*Permission',
          'sqs:*Queue',
          'events:*Permission',
          'events:CreateEventBus',
          'events:DeleteEventBus',
          'events:UpdateEventBus',
          'events:PutRule',
          'events:*Targets',
          'events:DeleteRule',
          'events:DisableRule',
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DisableAlarmActions',
        ],
        [
          functions,
          `${functions}:*`,
          ownRoles,
          arn('iam', `policy/${name}-*`, false),
          arn('kms', `alias/${name}/*`),
          tables,
          topics,
          queues,
          bus,
          arn('events', `rule/${name}-*`),
          // A custom bus's rules are named under it: rule/<bus>/<rule>.
          ...(options.hubBusName === undefined
            ? []
            : [
                arn('events', `event-bus/${options.hubBusName}`),
                arn('events', `rule/${options.hubBusName}/*`),
              ]),
          arn('cloudwatch', `alarm:${name}-*`),
        ],
        [deployRole],
      ),
      deny(
        'UseOnlyFromTheStack',
        ['lambda:Invoke*', ...TABLE_WRITE_ACTIONS, 'sns:Publish', 'sqs:SendMessage', 'events:PutEvents'],
        [functions, `${functions}:*`, tables, topics, queues, bus],
        [deployRole, ownRoles],
      ),
      deny(
        'ProtectTheStacksKeys',
        [
          'kms:PutKeyPolicy',
          'kms:CreateGrant',
          'kms:ScheduleKeyDeletion',
          'kms:DisableKey',
          'kms:*Alias',
          'kms:*Resource',
        ],
        [arn('kms', 'key/*')],
        [deployRole],
        { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: name } },
      ),
      deny('NoEventSourcesForTheFunctions', ['lambda:*EventSourceMapping'], ['*'], [deployRole], {
        ArnLike: { 'lambda:FunctionArn': [functions, `${functions}:*`] },
      }),
      // PutPermission and RemovePermission take no resource (IAM checks them against `*`, whichever bus
      // they name), so a Deny on the bus's ARN never matches them: only an account-wide Deny keeps the
      // bus policy (who may put "Proposal Applied" events) as the stack wrote it.
      deny(
        'NoEventBusPolicyChanges',
        ['events:PutPermission', 'events:RemovePermission'],
        ['*'],
        [deployRole],
      ),
    ],
  };
}

/** Where the synth writes the SCP: beside the templates, `cdk.out/<stack name>.protection-scp.json`. */
export function protectionScpPath(assemblyDirectory: string, stackName: string): string {
  return path.join(assemblyDirectory, `${stackName}.protection-scp.json`);
}

/**
 * The SCP for a synthesized stack: its name, and its account and region where they are known at synth
 * (an environment-agnostic stack gets `*`).
 */
export function protectionScpForStack(
  stack: Stack,
  deployRoleArn: string | null,
  hubBusName?: string,
): ScpDocument {
  const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  return buildProtectionScp({
    stackName: stack.stackName,
    account: known(stack.account),
    region: known(stack.region),
    deployRoleArn: deployRoleArn ?? undefined,
    hubBusName,
  });
}

/** Writes the stack's SCP into the cloud assembly directory; returns the file's path. */
export function writeProtectionScp(
  assemblyDirectory: string,
  stack: Stack,
  deployRoleArn: string | null,
  hubBusName?: string,
): string {
  const file = protectionScpPath(assemblyDirectory, stack.stackName);
  fs.writeFileSync(
    file,
    `${JSON.stringify(protectionScpForStack(stack, deployRoleArn, hubBusName), null, 2)}\n`,
  );
  return file;
}
