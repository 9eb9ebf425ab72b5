/**
 * The diagnose function: SQS batches of EventBridge envelopes of CloudTrail records in, one proposal
 * per incident and one team-channel message out. Everything it talks to is a port or an injected
 * Powertools object, so tests run it whole with in-memory adapters; index.ts wires AWS.
 *
 * Per SQS record: parse; decode EC2's encoded messages (best effort); read the denials. Records that
 * are not JSON, not CloudTrail or not iam:PassRole denials are logged, counted and acknowledged.
 * Each denial then passes the account gate (accounts.ts): single-account mode serves its own account
 * only, organization mode admits the denial and reads through that account's member role. A refused
 * denial, or one whose member role cannot be assumed, is logged with its reason, counted and
 * acknowledged: never diagnosed, and never read with this function's own identity.
 * Per denial, once per CloudTrail eventID (Powertools Idempotency), the incident workflow
 * (core/incident-workflow.ts): a repeat of an open incident is counted (and reminds when due), a new
 * incident is diagnosed once and its proposal or report stored and published. A proposal's message
 * carries how to decide it, as the approval mode says (core/approval/links.ts): the review link
 * with its MAC (KMS), and/or the CLI commands. This file logs and counts what the workflow
 * reports. Transient failures, and a new incident another invocation is diagnosing, put the record in
 * batchItemFailures (SQS retries it, then dead-letters it); denials that cannot be diagnosed for good
 * (the entity no longer exists) are logged, counted and acknowledged.
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  IdempotencyConfig,
  IdempotencyUnknownError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_APPROVAL_MODE, type ApprovalMode } from '../../core/approval/links';
import type { AutoApprove } from '../../core/approval/requirement';
import { messageLinksBuilder } from '../../core/approval/message-links';
import { readDeliveries } from '../../core/denial';
import { decodeAuthorizationMessages } from '../../core/denial/authorization-messages';
import { RetryRecordError } from '../../core/errors';
import { incidentKeyOf } from '../../core/incident';
import {
  processDenial,
  type IncidentOutcome,
  type IncidentWorkflowDependencies,
} from '../../core/incident-workflow';
import type { Denial } from '../../core/model';
import type { DenialAccountFields } from '../../core/organization/model';
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';
import { memberDecoderFor } from './member-decoder';
import type { AutoApproveTrigger } from '../../ports/auto-approve-trigger';
import type { LinkMacGenerator } from '../../ports/link-mac';
import type { Notifier } from '../../ports/notifier';
import type { IncidentStore } from '../../ports/incident-store';
import type { CorrelatedLogger, DimensionedMetrics } from '../../ports/observability';
import { accountReporter } from './account-observability';
import {
  accountGate,
  memberAccessErrorIn,
  refusalOf,
  type DenialAccounts,
  type DiagnoserFor,
  type GateOutcome,
} from './accounts';
import { diagnoseReporter, METRIC } from './observability';
import { withOuChannel } from './ou-channel';

// Still exported from here, where the entry, the bench and the tests import it.
export { METRIC } from './observability';

// ---------------------------------------------------------------- dependencies

export interface DiagnoseHandlerSettings {
  proposalTtlHours: number;
  renotifyAfterHours: number;
  /** The approval API's base URL: review links start with it; none without it. */
  reviewBaseUrl: string | null;
  /** Review links, CLI commands or both in the messages (default both). */
  approvalMode?: ApprovalMode;
  /** How long a processed eventID is remembered (default 24 h). */
  idempotencyTtlSeconds?: number;
  /** `no-new-access`: a new `none` proposal is handed to the approval function (autoApproveTrigger). */
  autoApprove?: AutoApprove;
}

export interface DiagnoseHandlerDependencies {
  /** Which account a denial is diagnosed in, and through what access (accounts.ts). */
  accounts: DenialAccounts;
  /** The diagnoser of one account (account-diagnoser.ts in the function). */
  diagnoserFor: DiagnoserFor;
  decoder: AuthorizationMessageDecoder;
  store: IncidentStore;
  notifier: Notifier;
  /** Powertools Idempotency persistence: DynamoDB in the function, in memory in tests. */
  idempotencyStore: BasePersistenceLayer;
  logger: CorrelatedLogger;
  metrics: DimensionedMetrics;
  settings: DiagnoseHandlerSettings;
  /**
   * Computes review links' MACs (KMS GenerateMac on LINK_MAC_KEY_ID in the function). Without it the
   * messages carry no review link, only the commands the mode allows.
   */
  linkMac?: LinkMacGenerator;
  /** Asks the approval function to look at a new `none` proposal (lambda:InvokeFunction in the function). */
  autoApproveTrigger?: AutoApproveTrigger;
  clock?: () => Date;
  newProposalId?: () => string;
}

export type DiagnoseHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

type Admitted = Extract<GateOutcome, { kind: 'admitted' }>;

/** What processing one denial came to; stored by Idempotency and returned for its redeliveries. */
interface DenialResult {
  outcome: 'created' | 'repeat' | 'not-applicable' | 'unprocessable';
  proposalId: string | null;
  /** Set by the idempotency response hook when the result is a stored one. */
  replayed?: boolean;
}

/**
 * Another invocation is diagnosing the same new incident right now: the record goes back to SQS and,
 * redelivered after the visibility timeout, finds the incident open and counts as a repeat.
 */
export class IncidentBusyError extends RetryRecordError {}

const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A notification lease when the invocation's remaining time is unknown. */
const DEFAULT_LEASE_MS = 60_000;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  return String(error);
}

/** Failures another attempt may not meet: SQS should redeliver the record. */
function isTransient(error: unknown): boolean {
  return error instanceof RetryRecordError || error instanceof IdempotencyUnknownError;
}

/** The result Idempotency stores for a denial's eventID (the shape stored results have always had). */
function denialResultOf(outcome: Exclude<IncidentOutcome, { kind: 'deferred' }>): DenialResult {
  switch (outcome.kind) {
    case 'created':
    case 'reported':
      return { outcome: 'created', proposalId: outcome.record.id };
    case 'repeat':
    case 'first-message-sent':
    case 'reminder-sent':
      return { outcome: 'repeat', proposalId: outcome.record.id };
    case 'not-applicable':
    case 'unprocessable':
      return { outcome: outcome.kind, proposalId: null };
  }
}

export function createDiagnoseHandler(deps: DiagnoseHandlerDependencies): DiagnoseHandler {
  const { decoder, logger, metrics, settings } = deps;
  const report = diagnoseReporter(logger, metrics);
  const count = report.count;
  const accounts = accountReporter(logger, metrics, { byAccount: deps.accounts.mode === 'organization' });

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'eventId',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: settings.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS,
    responseHook: (response) =>
      typeof response === 'object' && response !== null && !Array.isArray(response)
        ? { ...response, replayed: true }
        : response,
  });
  /** The current invocation's context: a lease lasts as long as the invocation can. */
  let invocation: Context | null = null;

  const gate = accountGate(deps.accounts, deps.diagnoserFor, () => invocation?.invokedFunctionArn ?? null);

  /** The workflow's dependencies but the diagnosis, which is the admitted account's. */
  const workflow: Omit<IncidentWorkflowDependencies, 'diagnose'> = {
    store: deps.store,
    notifier: deps.notifier,
    clock: deps.clock ?? (() => new Date()),
    newProposalId: deps.newProposalId ?? randomUUID,
    approvalLinks: messageLinksBuilder(
      { mode: settings.approvalMode ?? DEFAULT_APPROVAL_MODE, reviewBaseUrl: settings.reviewBaseUrl },
      deps.linkMac,
    ),
    leaseUntil: (from) => {
      const remaining = invocation?.getRemainingTimeInMillis() ?? DEFAULT_LEASE_MS;
      return new Date(from.getTime() + Math.max(1_000, remaining));
    },
    settings,
    ...(deps.autoApproveTrigger !== undefined ? { autoApproveTrigger: deps.autoApproveTrigger } : {}),
  };

  /** The workflow, once per eventID: what it came to is stored, and returned to redeliveries. */
  const processDenialOnce = makeIdempotent(
    async (denial: Denial, admitted: Admitted): Promise<DenialResult> => {
      logger.appendKeys({ incidentKey: incidentKeyOf(denial) });
      const organizationAccount = admitted.organizationAccount;
      const channels = deps.accounts.mode === 'organization' ? deps.accounts.channels : undefined;
      const outcome = await processDenial(
        {
          ...workflow,
          notifier:
            organizationAccount === null || channels === undefined
              ? workflow.notifier
              : withOuChannel(workflow.notifier, organizationAccount, channels, { logger, metrics }),
          diagnose: report.timed(admitted.diagnoser),
          onProgress: (progress) => {
            report.workflowStep(progress);
            if (progress.kind === 'record-created') {
              accounts.countFor(
                progress.record.proposal ? 'ProposalsCreated' : 'ReportsCreated',
                admitted.accountId,
              );
            }
          },
        },
        denial,
        organizationAccount === null ? {} : { organizationAccount },
      );
      if (outcome.kind === 'deferred') {
        throw new IncidentBusyError(
          `incident ${outcome.incidentKey} is being diagnosed by another invocation`,
        );
      }
      report.workflowOutcome(outcome);
      return denialResultOf(outcome);
    },
    {
      persistenceStore: deps.idempotencyStore,
      config: idempotencyConfig,
      keyPrefix: 'passrole-doctor.denial',
    },
  );

  async function handleDenial(denial: Denial, fields: DenialAccountFields): Promise<void> {
    const keys = { eventId: denial.eventId, principalArn: denial.principalArn, roleArn: denial.roleArn };
    logger.appendKeys(keys);
    try {
      count(METRIC.denialsSeen);
      const admitted = await gate.admit(denial, fields);
      if (admitted.kind === 'refused') {
        accounts.refused(admitted);
        return;
      }
      accounts.countFor('DenialsSeen', admitted.accountId);
      let result: DenialResult;
      try {
        result = await processDenialOnce(denial, admitted);
      } catch (error) {
        // The member role failed mid-way (credentials are assumed at the first call): acknowledged.
        const member = memberAccessErrorIn(error);
        if (member !== null) {
          accounts.refused(refusalOf(member, deps.accounts.mode));
          return;
        }
        // A new incident diagnosed elsewhere is not a failure: it is counted on its redelivery.
        if (!(error instanceof IncidentBusyError)) accounts.countFor('Errors', admitted.accountId);
        throw error;
      }
      if (result.outcome === 'unprocessable' && result.replayed !== true)
        accounts.countFor('Errors', admitted.accountId);
      if (result.replayed) {
        count(METRIC.redeliveriesSkipped);
        logger.info('event already processed: redelivery skipped', {
          proposalId: result.proposalId,
          outcome: result.outcome,
        });
      }
    } finally {
      logger.removeKeys([...Object.keys(keys), 'incidentKey']);
    }
  }

  async function processRecord(record: SQSRecord): Promise<void> {
    logger.appendKeys({ messageId: record.messageId });
    logger.setCorrelationId(record.messageId);
    try {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch (error) {
        report.notJson(describe(error));
        return;
      }
      logger.debug('record body', { body });
      // Organization mode: the admitted member decodes its own messages (member-decoder.ts).
      const accounts = deps.accounts;
      const messages = await decodeAuthorizationMessages(
        body,
        accounts.mode === 'organization' ? memberDecoderFor(body, accounts) : decoder,
      );
      report.decodedMessages(messages);
      const where = `message ${record.messageId}`;
      for (const { outcome, accountFields } of readDeliveries(body, where, {
        decodedMessages: messages.decoded,
      })) {
        const denial = report.denialToProcess(outcome);
        if (denial !== null) await handleDenial(denial, accountFields);
      }
    } catch (error) {
      const why =
        error instanceof IncidentBusyError ? 'deferred' : isTransient(error) ? 'transient' : 'failure';
      report.handedBack(why, describe(error));
      throw error;
    } finally {
      logger.removeKeys(['messageId', 'correlation_id']);
    }
  }

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    invocation = context;
    idempotencyConfig.registerLambdaContext(context);
    logger.addContext(context);
    try {
      // In order, one at a time: records of one incident in a batch must see each other's writes.
      return await processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
        context,
        processInParallel: false,
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
      logger.resetKeys();
      invocation = null;
    }
  };
}
