/**
 * ProvisionPermissionSet to the one account and the wait for it: the request is made once (its id is
 * stored before the wait), and its status polled with exponential backoff until it succeeds or fails,
 * or until the run's time is up. A wait that runs out leaves it IN_PROGRESS for the next run, which
 * polls the same request again: provisioning is never requested twice for one step.
 */
import { RetryRecordError } from '../../errors';
import type { PermissionSetRef, ProvisioningStatus } from '../../identity-center/model';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../../ports/identity-center';
import { messageOf } from '../verification';
import {
  DEFAULT_PROVISIONING_FIRST_DELAY_MS,
  DEFAULT_PROVISIONING_MAX_DELAY_MS,
} from './identity-center-apply';

export interface PollDependencies {
  reader: IdentityCenterReader;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Epoch ms: no wait may end past this. */
  deadline: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export type ProvisionRequest = { ok: true; status: ProvisioningStatus } | { ok: false; reason: string };

/** Asks for the provisioning; Identity Center's refusal is a value, a transient failure propagates. */
export async function requestProvisioning(
  writer: IdentityCenterWriter,
  ref: PermissionSetRef,
  accountId: string,
): Promise<ProvisionRequest> {
  try {
    return { ok: true, status: await writer.provision(ref, accountId) };
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    return {
      ok: false,
      reason: `ProvisionPermissionSet to account ${accountId} was refused: ${messageOf(error)}`,
    };
  }
}

/**
 * The request's status once it is SUCCEEDED or FAILED, or IN_PROGRESS when the next wait would pass
 * the deadline. A transient failure to read the status counts as still in progress.
 */
export async function awaitProvisioning(
  ref: PermissionSetRef,
  requestId: string,
  deps: PollDependencies,
): Promise<ProvisioningStatus & { polls: number }> {
  let delay = deps.firstDelayMs ?? DEFAULT_PROVISIONING_FIRST_DELAY_MS;
  const maxDelay = deps.maxDelayMs ?? DEFAULT_PROVISIONING_MAX_DELAY_MS;
  let polls = 0;
  let last: ProvisioningStatus | null = null;
  for (;;) {
    polls++;
    try {
      last = await deps.reader.provisioningStatus(ref, requestId);
      if (last.state !== 'IN_PROGRESS') return { ...last, polls };
    } catch (error) {
      if (!(error instanceof RetryRecordError)) throw error;
    }
    if (deps.clock().getTime() + delay > deps.deadline) break;
    await deps.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
  return {
    requestId,
    state: 'IN_PROGRESS',
    accountId: last?.accountId ?? '',
    permissionSetArn: ref.permissionSetArn,
    failureReason: null,
    polls,
  };
}
