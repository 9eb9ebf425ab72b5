/**
 * The diagnose function: SQS batches of EventBridge envelopes of CloudTrail records in, one proposal
 * per incident and one team-channel message out. Everything it talks to is a port or an injected
 * Powertools object, so tests run it whole with in-memory adapters; index.ts wires AWS.
 *
 * Per SQS record: parse; decode EC2's encoded messages (best effort); read the denials. Records that
 * are not JSON, not CloudTrail or not iam:PassRole denials are logged, counted and acknowledged.
 * Per denial, once per CloudTrail eventID (Powertools Idempotency):
 *   - an open incident of the same (account, entity, role, service): count the occurrence, send a
 *     reminder when the last message is older than renotifyAfterHours, else nothing: no IAM call;
 *   - otherwise claim the incident's diagnosis (another container diagnosing it: the record goes back
 *     to SQS and comes back a repeat), diagnose, store a `pending` proposal (or a `reported` diagnosis
 *     without one) together with its incident pointer (one winner among creators: a loser is a
 *     repeat), publish.
 * Publishing is claimed with a lease on the record and marked after it succeeded, so a failure or a
 * crash between storing and publishing is healed by the redelivery: never a second proposal, never
 * a lost message. A proposal's message carries how to decide it, as the approval mode says
 * (core/approval/links.ts): the review link signed with the link key, and/or the CLI commands.
 * Transient failures put the record in batchItemFailures (SQS retries it, then dead-letters it);
 * denials that cannot be diagnosed for good (the entity no longer exists) are logged and counted.
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
import {
  approvalLinksOf,
  DEFAULT_APPROVAL_MODE,
  linksEnabled,
  type ApprovalLinks,
  type ApprovalMode,
} from '../../core/approval/links';
import { encodedAuthorizationMessages, parseErrorMessage, readDenials } from '../../core/denial';
import type { Diagnoser } from '../../core/diagnose';
import { InvalidInputError, TransientAwsError } from '../../core/errors';
import { incidentKeyOf, newProposalRecord, type ProposalRecord } from '../../core/incident';
import type { Denial, Diagnosis } from '../../core/model';
import { renderMessage } from '../../core/render/message';
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';
import type { Notifier } from '../../ports/notifier';
import type { NotificationClaim, ProposalStore } from '../../ports/proposal-store';

// ---------------------------------------------------------------- observability ports

export type LogAttributes = Record<string, unknown>;

/** The Powertools Logger methods the handler uses (a Logger fits; tests pass a recorder). */
export interface DiagnoseLogger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
  appendKeys(attributes: LogAttributes): void;
  removeKeys(keys: string[]): void;
  resetKeys(): void;
  addContext(context: Context): void;
  setCorrelationId(value: unknown): void;
}

/** The Powertools Metrics methods the handler uses. */
export interface DiagnoseMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** The metrics the function emits (EMF, in the namespace POWERTOOLS_METRICS_NAMESPACE). */
export const METRIC = {
  /** iam:PassRole denials read from the records. */
  denialsSeen: 'DenialsSeen',
  /** Records (or diagnoses) that are not iam:PassRole denials, or that name no role or caller. */
  notApplicable: 'NotApplicable',
  /** SQS messages that are not JSON or not CloudTrail at all. */
  invalidRecords: 'InvalidRecords',
  /** EC2 encoded authorization messages that could not be decoded (cut at 1 KB, or refused by STS). */
  undecodableMessages: 'UndecodableMessages',
  proposalsCreated: 'ProposalsCreated',
  /** Incidents reported without a proposal (allowed now, unfixable deny, another account's role, ...). */
  reportsCreated: 'ReportsCreated',
  /** Denials of an incident that was already open: counted, not diagnosed. */
  duplicatesSuppressed: 'DuplicatesSuppressed',
  /** Redeliveries of an event already processed (same CloudTrail eventID). */
  redeliveriesSkipped: 'RedeliveriesSkipped',
  notificationsPublished: 'NotificationsPublished',
  remindersSent: 'RemindersSent',
  /** Denials that cannot be diagnosed for good (the IAM entity is gone): acknowledged. */
  unprocessableDenials: 'UnprocessableDenials',
  /** Denials of a new incident another invocation was diagnosing: handed back, counted on redelivery. */
  deferredDenials: 'DeferredDenials',
  /** Every failure: the unprocessable denials and the records handed back to SQS for a retry. */
  errors: 'Errors',
  diagnosisDuration: 'DiagnosisDuration',
} as const;

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
}

export interface DiagnoseHandlerDependencies {
  diagnoser: Diagnoser;
  decoder: AuthorizationMessageDecoder;
  store: ProposalStore;
  notifier: Notifier;
  /** Powertools Idempotency persistence: DynamoDB in the function, in memory in tests. */
  idempotencyStore: BasePersistenceLayer;
  logger: DiagnoseLogger;
  metrics: DiagnoseMetrics;
  settings: DiagnoseHandlerSettings;
  /**
   * The link signing key (Secrets Manager, cached by Powertools in the function). Without it the
   * messages carry no review link, only the commands the mode allows.
   */
  approvalSecret?: () => Promise<string>;
  clock?: () => Date;
  newProposalId?: () => string;
}

export type DiagnoseHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

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
export class IncidentBusyError extends TransientAwsError {}

const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A notification lease when the invocation's remaining time is unknown. */
const DEFAULT_LEASE_MS = 60_000;
const HOUR_MS = 3_600_000;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  return String(error);
}

/** Failures another attempt may not meet: SQS should redeliver the record. */
function isTransient(error: unknown): boolean {
  return error instanceof TransientAwsError || error instanceof IdempotencyUnknownError;
}

/** The errorMessage fields of the records in a body (envelope, raw record or log file). */
function errorMessagesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const object = body as Record<string, unknown>;
  const records = Array.isArray(object['Records']) ? object['Records'] : [object['detail'] ?? object];
  return records.flatMap((record) => {
    if (typeof record !== 'object' || record === null) return [];
    const message = (record as Record<string, unknown>)['errorMessage'];
    return typeof message === 'string' ? [message] : [];
  });
}

export function createDiagnoseHandler(deps: DiagnoseHandlerDependencies): DiagnoseHandler {
  const { diagnoser, decoder, store, notifier, logger, metrics, settings } = deps;
  const now = deps.clock ?? (() => new Date());
  const newProposalId = deps.newProposalId ?? randomUUID;
  const renotifyMs = settings.renotifyAfterHours * HOUR_MS;
  const approvalMode = settings.approvalMode ?? DEFAULT_APPROVAL_MODE;
  const count = (name: string, value = 1): void => {
    metrics.addMetric(name, 'Count', value);
  };

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'eventId',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: settings.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS,
    responseHook: (response) =>
      typeof response === 'object' && response !== null && !Array.isArray(response)
        ? { ...response, replayed: true }
        : response,
  });
  /** The current invocation's context: a notification lease lasts as long as the invocation can. */
  let invocation: Context | null = null;

  function leaseUntil(from: Date): Date {
    const remaining = invocation?.getRemainingTimeInMillis() ?? DEFAULT_LEASE_MS;
    return new Date(from.getTime() + Math.max(1_000, remaining));
  }

  /** How the message lets a person decide: the signed review link and/or the CLI commands. */
  async function approvalLinks(record: ProposalRecord): Promise<ApprovalLinks> {
    const fetchSecret = deps.approvalSecret;
    const signs = linksEnabled(approvalMode) && settings.reviewBaseUrl !== null && record.proposal !== null;
    const secret = signs && fetchSecret !== undefined ? await fetchSecret() : null;
    return approvalLinksOf({ mode: approvalMode, record, reviewBaseUrl: settings.reviewBaseUrl, secret });
  }

  /** Publishes the record's message if this invocation wins the claim; true when it went out. */
  async function notify(record: ProposalRecord, claim: NotificationClaim): Promise<boolean> {
    const at = now();
    if (!(await store.claimNotification(record.id, claim, at, leaseUntil(at)))) {
      logger.debug('message not due, or being published by another invocation', {
        proposalId: record.id,
        claim: claim.kind,
      });
      return false;
    }
    try {
      const message = renderMessage({
        kind: claim.kind === 'first' ? 'new' : 'reminder',
        record,
        reviewBaseUrl: null,
        links: await approvalLinks(record),
      });
      await notifier.publish(message);
    } catch (error) {
      // Give the lease back so the retry need not wait for it; if that fails too, it expires.
      await store.releaseNotification(record.id).catch(() => undefined);
      throw error;
    }
    await store.markNotified(record.id, at);
    count(METRIC.notificationsPublished);
    if (claim.kind === 'reminder') count(METRIC.remindersSent);
    logger.info(claim.kind === 'first' ? 'message published' : 'reminder published', {
      proposalId: record.id,
      incidentKey: record.incidentKey,
      occurrenceCount: record.occurrenceCount,
    });
    return true;
  }

  /** A denial of an open incident: count it; heal a missing first message; remind when due. */
  async function repeat(proposalId: string, denial: Denial): Promise<DenialResult> {
    const outcome = await store.recordOccurrence(proposalId, { eventId: denial.eventId, seenAt: now() });
    if (outcome.kind === 'closed') {
      // Closed between the lookup and the update (expired, approved): the retry sees a settled state.
      throw new TransientAwsError(`incident of proposal ${proposalId} closed while its repeat was recorded`);
    }
    const record = outcome.record;
    count(METRIC.duplicatesSuppressed);
    logger.info('repeat of an open incident: counted, not diagnosed', {
      proposalId,
      status: record.status,
      occurrenceCount: record.occurrenceCount,
      alreadyCounted: outcome.kind === 'already-counted',
    });
    if (record.notifiedAt === null) {
      await notify(record, { kind: 'first' });
    } else if (record.status === 'pending') {
      const notifiedBefore = new Date(now().getTime() - renotifyMs);
      if (Date.parse(record.notifiedAt) < notifiedBefore.getTime()) {
        await notify(record, { kind: 'reminder', notifiedBefore });
      }
    }
    return { outcome: 'repeat', proposalId };
  }

  /** The diagnosis, or null when the denial cannot be diagnosed for good (logged and counted here). */
  async function diagnose(denial: Denial): Promise<Diagnosis | null> {
    const started = performance.now();
    try {
      return await diagnoser.diagnose(denial);
    } catch (error) {
      // The IAM entity is gone, or the account data cannot describe it: a retry would meet the same.
      if (!(error instanceof InvalidInputError)) throw error;
      count(METRIC.unprocessableDenials);
      count(METRIC.errors);
      logger.warn('denial cannot be diagnosed: acknowledged', { reason: error.message });
      return null;
    } finally {
      metrics.addMetric(METRIC.diagnosisDuration, 'Milliseconds', performance.now() - started);
    }
  }

  async function processDenial(denial: Denial): Promise<DenialResult> {
    const incidentKey = incidentKeyOf(denial);
    logger.appendKeys({ incidentKey });
    const open = await store.findOpenIncident(incidentKey, now());
    if (open) return repeat(open.proposalId, denial);

    // One diagnosis per new incident, however many containers meet it at once (IAM's rate limits).
    const claimedAt = now();
    if (!(await store.claimDiagnosis(incidentKey, claimedAt, leaseUntil(claimedAt)))) {
      const opened = await store.findOpenIncident(incidentKey, now());
      if (opened) return repeat(opened.proposalId, denial);
      throw new IncidentBusyError(`incident ${incidentKey} is being diagnosed by another invocation`);
    }
    try {
      const result = await diagnoseAndCreate(denial, incidentKey);
      if (result.outcome !== 'created') await store.releaseDiagnosis(incidentKey);
      return result;
    } catch (error) {
      await store.releaseDiagnosis(incidentKey).catch(() => undefined);
      throw error;
    }
  }

  async function diagnoseAndCreate(denial: Denial, incidentKey: string): Promise<DenialResult> {
    const diagnosed = await diagnose(denial);
    if (diagnosed === null) return { outcome: 'unprocessable', proposalId: null };
    logger.debug('diagnosis', { diagnosis: diagnosed });
    if (diagnosed.verdict === 'not-applicable') {
      count(METRIC.notApplicable);
      logger.info('denial not applicable', { reason: diagnosed.reason ?? diagnosed.summary });
      return { outcome: 'not-applicable', proposalId: null };
    }

    const created = now();
    const record = newProposalRecord({
      id: newProposalId(),
      incidentKey,
      diagnosis: { ...diagnosed, denial },
      now: created,
      ttlHours: settings.proposalTtlHours,
    });
    const outcome = await store.create(record, created);
    if (outcome.kind === 'incident-open') {
      const winner = outcome.proposalId ?? (await store.findOpenIncident(incidentKey, now()))?.proposalId;
      if (winner === undefined)
        throw new TransientAwsError(`incident ${incidentKey} changed while it was created`);
      logger.info('another invocation opened the incident first', { proposalId: winner });
      return repeat(winner, denial);
    }
    count(record.proposal ? METRIC.proposalsCreated : METRIC.reportsCreated);
    logger.info(record.proposal ? 'proposal created' : 'incident reported without a proposal', {
      proposalId: record.id,
      verdict: diagnosed.verdict,
      verified: record.proposal?.verified ?? null,
      target: record.proposal ? `${record.proposal.target.type}/${record.proposal.target.name}` : null,
    });
    await notify(outcome.record, { kind: 'first' });
    return { outcome: 'created', proposalId: record.id };
  }

  const processDenialOnce = makeIdempotent(processDenial, {
    persistenceStore: deps.idempotencyStore,
    config: idempotencyConfig,
    keyPrefix: 'passrole-doctor.denial',
  });

  async function decodeMessages(body: unknown): Promise<Map<string, string>> {
    const decoded = new Map<string, string>();
    for (const blob of encodedAuthorizationMessages(body)) {
      const message = await decoder.decode(blob);
      if (message === null) {
        count(METRIC.undecodableMessages);
        logger.info('encoded authorization message not decoded', {
          reason: 'sts:DecodeAuthorizationMessage gave nothing back (expired, malformed or not permitted)',
        });
      } else {
        decoded.set(blob, message);
      }
    }
    const cut = errorMessagesOf(body).filter(
      (message) => parseErrorMessage(message).encoded?.complete === false,
    ).length;
    if (cut > 0) {
      count(METRIC.undecodableMessages, cut);
      logger.info('encoded authorization message cut at 1 KB by CloudTrail: cannot be decoded', {
        reason: 'cut at 1 KB',
      });
    }
    return decoded;
  }

  async function handleDenial(denial: Denial): Promise<void> {
    const keys = { eventId: denial.eventId, principalArn: denial.principalArn, roleArn: denial.roleArn };
    logger.appendKeys(keys);
    try {
      count(METRIC.denialsSeen);
      const result = await processDenialOnce(denial);
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
        count(METRIC.invalidRecords);
        logger.warn('record acknowledged: its body is not JSON', { reason: describe(error) });
        return;
      }
      logger.debug('record body', { body });
      const decoded = await decodeMessages(body);
      for (const outcome of readDenials(body, `message ${record.messageId}`, { decodedMessages: decoded })) {
        if (outcome.kind === 'invalid') {
          count(METRIC.invalidRecords);
          logger.warn('record acknowledged: not a CloudTrail record', {
            reason: outcome.reason,
            where: outcome.where,
          });
        } else if (outcome.kind === 'not-applicable') {
          count(METRIC.notApplicable);
          logger.info('record acknowledged: not an iam:PassRole denial', {
            reason: outcome.reason,
            eventId: outcome.eventId,
          });
        } else if (outcome.denial.eventId.trim() === '') {
          // Idempotency and dedup key on the eventID: without one the record cannot be handled safely.
          count(METRIC.invalidRecords);
          logger.warn('record acknowledged: an iam:PassRole denial with an empty eventID', {
            where: outcome.where,
          });
        } else {
          await handleDenial(outcome.denial);
        }
      }
    } catch (error) {
      const attributes = { reason: describe(error) };
      if (error instanceof IncidentBusyError) {
        count(METRIC.deferredDenials);
        logger.info('new incident being diagnosed elsewhere: the record goes back to SQS', attributes);
        throw error;
      }
      count(METRIC.errors);
      if (isTransient(error))
        logger.warn('transient failure: the record goes back to SQS for a retry', attributes);
      else logger.error('failure: the record goes back to SQS, then to the dead-letter queue', attributes);
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
