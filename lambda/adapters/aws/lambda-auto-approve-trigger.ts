import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AUTO_APPROVE_SOURCE, type AutoApproveEvent } from '../../core/approval/auto-approve-event';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import type { AutoApproveTrigger } from '../../ports/auto-approve-trigger';
import { isTransientAwsFailure } from './aws-errors';

/**
 * Invokes the approval function asynchronously (lambda:InvokeFunction, InvocationType Event) with the
 * auto-approval event: the diagnose function's request returns at once, and Lambda retries it.
 */
export class LambdaAutoApproveTrigger implements AutoApproveTrigger {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async requestAutoApproval(proposalId: string): Promise<void> {
    const event: AutoApproveEvent = { source: AUTO_APPROVE_SOURCE, proposalId };
    let statusCode: number | undefined;
    try {
      const output = await this.lambda.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      statusCode = output.StatusCode;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = `lambda:InvokeFunction (${this.functionName}) failed (${name})`;
      throw isTransientAwsFailure(error) || name === 'TooManyRequestsException'
        ? new TransientAwsError(message, { cause: error })
        : new AwsCallError(message, { cause: error });
    }
    // An accepted asynchronous invoke answers 202; anything else means it was not queued.
    if (statusCode !== 202) {
      throw new AwsCallError(
        `lambda:InvokeFunction (${this.functionName}) answered ${String(statusCode)}, not 202 Accepted`,
      );
    }
  }
}
