/**
 * What the diagnose function tells: its logger and metrics ports (Powertools Logger and Metrics fit;
 * tests pass recorders), the metric names, and the log lines and counts for what a record held and
 * for each step and outcome of the incident workflow (core/incident-workflow.ts).
 */
import type { ReadOutcome } from '../../core/denial';
import type { DecodedAuthorizationMessages } from '../../core/denial/authorization-messages';
import type { Diagnoser } from '../../core/diagnose';
import type { IncidentOutcome, IncidentProgress } from '../../core/incident-workflow';
import type { Denial, Diagnosis } from '../../core/model';
import type { CorrelatedLogger, Metrics } from '../../ports/observability';
import { verdictOf } from '../../core/diagnosis/derived';
import type { AwsRecordUnavailableReason } from '../../core/evidence/aws-evaluation';

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
  /** Diagnoses that took AWS's evaluation record of the request as evidence. */
  awsRecordsUsed: 'AwsRecordsUsed',
  /** Records under the message's authorization ID that are of another request (a forged event?). */
  awsRecordMismatches: 'AwsRecordMismatches',
  /** Records not read, whatever the reason (each reason is counted too: AWS_RECORD_UNAVAILABLE). */
  awsRecordsUnavailable: 'AwsRecordsUnavailable',
  /** Diagnoses where AWS's record and the simulation disagree (the `aws-evaluation` finding). */
  awsEvaluationDisagreements: 'AwsEvaluationDisagreements',
} as const;

/** Records not read, counted by reason: one metric per reason (the port's reasons, each mapped). */
export const AWS_RECORD_UNAVAILABLE: Record<AwsRecordUnavailableReason, string> = {
  'not-found': 'AwsRecordNotFound',
  'access-denied': 'AwsRecordAccessDenied',
  throttled: 'AwsRecordThrottled',
  'server-error': 'AwsRecordServerError',
  'invalid-request': 'AwsRecordInvalidRequest',
  'invalid-response': 'AwsRecordInvalidResponse',
  network: 'AwsRecordNetworkError',
  'not-consulted': 'AwsRecordNotConsulted',
};

/**
 * Logs and counts what the handler meets: the diagnoser's time, records acknowledged without a
 * denial to process, the workflow's steps and outcomes, records handed back to SQS.
 */
export function diagnoseReporter(logger: CorrelatedLogger, metrics: Metrics) {
  const count = (name: string, value = 1): void => {
    metrics.addMetric(name, 'Count', value);
  };

  /** The diagnoser, timed (a metric) and its diagnosis logged at DEBUG (it holds policy documents). */
  function timed(diagnoser: Diagnoser): (denial: Denial) => Promise<Diagnosis> {
    return async (denial) => {
      const started = performance.now();
      try {
        const diagnosis = await diagnoser.diagnose(denial);
        logger.debug('diagnosis', { diagnosis });
        awsRecord(diagnosis);
        return diagnosis;
      } finally {
        metrics.addMetric(METRIC.diagnosisDuration, 'Milliseconds', performance.now() - started);
      }
    };
  }

  /** What became of AWS's evaluation record: used, not of this request, not read (by reason), disagreeing. */
  function awsRecord(diagnosis: Diagnosis): void {
    if (diagnosis.outcome === 'not-applicable' || diagnosis.outcome === 'recorded') return;
    const authorizationId = diagnosis.denial.authorizationId;
    for (const finding of diagnosis.findings) {
      if (finding.kind === 'aws-record-unavailable') {
        count(METRIC.awsRecordsUnavailable);
        count(AWS_RECORD_UNAVAILABLE[finding.reason]);
        logger.info("AWS's evaluation record not read", {
          authorizationId,
          reason: finding.reason,
          detail: finding.detail,
        });
      } else if (finding.kind === 'aws-record-mismatch') {
        count(METRIC.awsRecordMismatches);
        logger.warn("AWS's evaluation record is of another request: not used as evidence", {
          authorizationId,
          fields: finding.mismatches.map((mismatch) => mismatch.field),
        });
      }
    }
    if (diagnosis.findings.some((finding) => finding.kind === 'aws-record')) count(METRIC.awsRecordsUsed);
    const disagreement = diagnosis.findings.find((finding) => finding.kind === 'aws-evaluation');
    if (disagreement !== undefined) {
      count(METRIC.awsEvaluationDisagreements);
      logger.info("AWS's evaluation record and the simulation disagree", {
        authorizationId,
        on: disagreement.disagreement.kind,
      });
    }
  }

  function notJson(reason: string): void {
    count(METRIC.invalidRecords);
    logger.warn('record acknowledged: its body is not JSON', { reason });
  }

  /** EC2's encoded messages that could not be decoded: the denials are read without them. */
  function decodedMessages({ undecodable, cut }: DecodedAuthorizationMessages): void {
    for (let message = 0; message < undecodable; message++) {
      count(METRIC.undecodableMessages);
      logger.info('encoded authorization message not decoded', {
        reason: 'sts:DecodeAuthorizationMessage gave nothing back (expired, malformed or not permitted)',
      });
    }
    if (cut > 0) {
      count(METRIC.undecodableMessages, cut);
      logger.info('encoded authorization message cut at 1 KB by CloudTrail: cannot be decoded', {
        reason: 'cut at 1 KB',
      });
    }
  }

  /** The denial to process, or null when the read outcome is acknowledged (logged and counted). */
  function denialToProcess(outcome: ReadOutcome): Denial | null {
    if (outcome.kind === 'invalid') {
      count(METRIC.invalidRecords);
      logger.warn('record acknowledged: not a CloudTrail record', {
        reason: outcome.reason,
        where: outcome.where,
      });
    } else if (outcome.kind === 'not-applicable') {
      count(METRIC.notApplicable);
      // The code is for queries and alarms; the reason is for a person.
      logger.info('record acknowledged: not an iam:PassRole denial', {
        code: outcome.code,
        reason: outcome.reason,
        eventId: outcome.eventId,
      });
    } else if (outcome.denial.eventId.trim() === '') {
      // Idempotency and dedup key on the eventID: without one the record cannot be handled safely.
      count(METRIC.invalidRecords);
      logger.warn('record acknowledged: an iam:PassRole denial with an empty eventID', {
        reason: 'an iam:PassRole denial with an empty eventID: the record cannot be identified',
        where: outcome.where,
      });
    } else {
      return outcome.denial;
    }
    return null;
  }

  function workflowStep(progress: IncidentProgress): void {
    switch (progress.kind) {
      case 'record-created': {
        const { record } = progress;
        const proposal = record.proposal;
        count(proposal ? METRIC.proposalsCreated : METRIC.reportsCreated);
        logger.info(proposal ? 'proposal created' : 'incident reported without a proposal', {
          proposalId: record.id,
          verdict: verdictOf(record.diagnosis),
          outcome: record.diagnosis.outcome,
          verified: proposal?.verified ?? null,
          target: proposal ? `${proposal.target.type}/${proposal.target.name}` : null,
        });
        return;
      }
      case 'incident-opened-elsewhere':
        logger.info('another invocation opened the incident first', { proposalId: progress.proposalId });
        return;
      case 'occurrence-counted':
        count(METRIC.duplicatesSuppressed);
        logger.info('repeat of an open incident: counted, not diagnosed', {
          proposalId: progress.record.id,
          status: progress.record.status,
          occurrenceCount: progress.record.occurrenceCount,
          alreadyCounted: progress.alreadyCounted,
        });
        return;
      case 'message-not-due':
        logger.debug('message not due, or being published by another invocation', {
          proposalId: progress.proposalId,
          claim: progress.claim,
        });
        return;
      case 'message-published':
        count(METRIC.notificationsPublished);
        if (progress.claim === 'reminder') count(METRIC.remindersSent);
        logger.info(progress.claim === 'first' ? 'message published' : 'reminder published', {
          proposalId: progress.record.id,
          incidentKey: progress.record.incidentKey,
          occurrenceCount: progress.record.occurrenceCount,
        });
        return;
      case 'auto-approval-requested':
        logger.info('auto-approval requested', { proposalId: progress.proposalId });
        return;
      case 'auto-approval-not-requested':
        logger.warn('auto-approval could not be requested: the proposal stays pending for a person', {
          proposalId: progress.proposalId,
          reason:
            progress.cause instanceof Error
              ? `${progress.cause.name}: ${progress.cause.message}`
              : String(progress.cause),
        });
    }
  }

  /** The outcomes that end a denial without a record (the others were told as steps). */
  function workflowOutcome(outcome: IncidentOutcome): void {
    if (outcome.kind === 'not-applicable') {
      count(METRIC.notApplicable);
      logger.info('denial not applicable', { code: outcome.code, reason: outcome.reason });
    } else if (outcome.kind === 'unprocessable') {
      count(METRIC.unprocessableDenials);
      count(METRIC.errors);
      logger.warn('denial cannot be diagnosed: acknowledged', { reason: outcome.reason });
    }
  }

  /** A record going back to SQS: deferred (a new incident diagnosed elsewhere), or failed. */
  function handedBack(why: 'deferred' | 'transient' | 'failure', reason: string): void {
    if (why === 'deferred') {
      count(METRIC.deferredDenials);
      logger.info('new incident being diagnosed elsewhere: the record goes back to SQS', { reason });
      return;
    }
    count(METRIC.errors);
    if (why === 'transient')
      logger.warn('transient failure: the record goes back to SQS for a retry', { reason });
    else logger.error('failure: the record goes back to SQS, then to the dead-letter queue', { reason });
  }

  return {
    count,
    timed,
    notJson,
    decodedMessages,
    denialToProcess,
    workflowStep,
    workflowOutcome,
    handedBack,
  };
}
