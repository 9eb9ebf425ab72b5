/**
 * The stack's own event bus for "Proposal Applied" events (source `passrole-doctor`). Its policy
 * denies events:PutEvents to every principal but the apply function's role, so an event on it was
 * put there by the apply function: automation that acts on it subscribes with a rule on this bus
 * (README: "Proposal Applied events"). On the default bus anyone with events:PutEvents could forge one.
 *
 * The bus policy does not try to guard itself: whether EventBridge evaluates events:PutPermission and
 * RemovePermission against a bus policy is undocumented, and an action it rejects would fail the
 * deploy. The shipped SCP denies those to all but the deploy role.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { denyExcept } from './deny-statements';

/** The bus's name, from the stack's (the shipped SCP finds it by that prefix). */
export function proposalEventsBusName(stackName: string): string {
  return `${stackName}-events`;
}

export class ProposalEventsBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: proposalEventsBusName(Stack.of(this).stackName),
      description: 'PassRole Doctor: Proposal Applied events, put by the apply function only',
    });
  }

  /** Denies events:PutEvents on the bus to all but `publisher`, and allows it to `publisher`. */
  onlyPublisher(publisher: iam.Role): void {
    // The bus's own Policy property (one resource, part of the bus) rather than addToResourcePolicy's
    // separate AWS::Events::EventBusPolicy. Its resource is the bus by name: its ARN would be a cycle.
    const policy = new iam.PolicyDocument({
      statements: [
        denyExcept({
          sid: 'OnlyTheApplyFunctionPutsEvents',
          actions: ['events:PutEvents'],
          resources: [this.busArnByName()],
          except: [publisher.roleArn],
        }),
      ],
    });
    (this.bus.node.defaultChild as events.CfnEventBus).policy = policy;
    publisher.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AnnounceOnTheStacksBus',
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
      }),
    );
  }

  private busArnByName(): string {
    const stack = Stack.of(this);
    return `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${proposalEventsBusName(stack.stackName)}`;
  }
}
