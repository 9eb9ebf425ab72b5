import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import { isTransientAwsFailure } from './aws-errors';

/**
 * Starts the apply function for an approved proposal with an asynchronous invoke (InvocationType
 * Event): the reviewer's request returns at once, and Lambda retries the apply if it fails. The
 * payload is the id alone; the apply function reads everything else from the table.
 */
export class LambdaApplyTrigger implements ApplyTrigger {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async requestApply(proposalId: string): Promise<void> {
    let statusCode: number | undefined;
    try {
      const output = await this.lambda.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ proposalId })),
        }),
      );
      statusCode = output.StatusCode;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
      const message = `lambda:InvokeFunction (${this.functionName}) failed (${name}${detail})`;
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
