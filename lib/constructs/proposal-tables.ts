/**
 * The function's state: the proposals table (one item per incident, listed by status through the
 * byStatus index) and Powertools Idempotency's table (one item per CloudTrail eventID).
 *
 * The proposals table's resource policy denies every write to all but the stack's function roles
 * (an `approved` item written by anyone else must never reach the apply step), and changes to
 * itself to all but the deploy role.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { denyChangesToItself, denyExcept, type PolicyAdministrators } from './deny-statements';

/** Every DynamoDB action that writes items. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/**
 * What changes the table's resource policy. DeleteTable is left to the shipped SCP: the table is kept
 * after `cdk destroy`, and deleting it by hand then must stay possible.
 */
export const TABLE_POLICY_CHANGE_ACTIONS = [
  'dynamodb:PutResourcePolicy',
  'dynamodb:DeleteResourcePolicy',
] as const;

export interface ProposalTablesProps {
  /** What `cdk destroy` does with the proposals table. @default RemovalPolicy.RETAIN */
  readonly proposalsRemovalPolicy?: RemovalPolicy;
}

export const PROPOSALS_STATUS_INDEX = 'byStatus';

export class ProposalTables extends Construct {
  readonly proposalsTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ProposalTablesProps = {}) {
    super(scope, id);
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // The AWS managed key (aws/dynamodb): only the function reads these tables, so the stack's key
      // would add nothing but KMS calls and kms:ReEncrypt*/GenerateDataKey* grants to the function, and
      // a retained proposals table would keep depending on a key the stack no longer manages.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    };

    this.proposalsTable = new dynamodb.Table(this, 'Proposals', {
      ...common,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      // Proposals are the record of what was proposed and why: keep them unless told otherwise.
      removalPolicy: props.proposalsRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.proposalsTable.addGlobalSecondaryIndex({
      indexName: PROPOSALS_STATUS_INDEX,
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    // Powertools Idempotency's default schema; its records only live for the idempotency window.
    this.idempotencyTable = new dynamodb.Table(this, 'Idempotency', {
      ...common,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * The proposals table's resource policy: writes by `writers` only, policy changes by the
   * administrators only. `*` is the table itself (a table's policy cannot name its own ARN without a cycle).
   */
  restrictProposalWrites(writers: readonly iam.IRole[], administrators: PolicyAdministrators): void {
    this.proposalsTable.addToResourcePolicy(
      denyExcept({
        sid: 'OnlyTheStacksFunctionsWrite',
        actions: TABLE_WRITE_ACTIONS,
        except: writers.map((role) => role.roleArn),
      }),
    );
    this.proposalsTable.addToResourcePolicy(
      denyChangesToItself(
        'DenyPolicyChangesToAllButTheDeployRole',
        TABLE_POLICY_CHANGE_ACTIONS,
        administrators,
      ),
    );
  }
}
