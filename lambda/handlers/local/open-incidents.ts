/**
 * The denials `serve` reviews through the incident workflow the diagnose function runs
 * (core/incident-workflow.ts), over the in-memory store and notifier: one pending record per incident
 * (denials of the same incident count as occurrences of it) and one message each, with its signed
 * review link. The file is read whole first, so messages are held until every denial is counted and
 * then sent in the order the incidents were opened: each counts all the file's denials of it.
 */
import { randomUUID } from 'node:crypto';
import { messageLinksBuilder } from '../../core/approval/message-links';
import { PassRoleDoctorError } from '../../core/errors';
import type { IncidentRecord } from '../../core/incident';
import { processDenial, type IncidentWorkflowDependencies } from '../../core/incident-workflow';
import type { Denial, Diagnosis } from '../../core/model';
import type { LinkMacGenerator } from '../../ports/link-mac';
import type { Notifier } from '../../ports/notifier';
import type { IncidentStore } from '../../ports/incident-store';
import { PROPOSAL_TTL_HOURS as PROPOSAL_TTL_SPEC } from '../../settings/diagnose';

/** As the diagnose function keeps a proposal open by default. */
export const PROPOSAL_TTL_HOURS = PROPOSAL_TTL_SPEC.fallback;
/** No reminder is due while serve runs: every message goes out at start. */
const RENOTIFY_AFTER_HOURS = 24;
/** One process holds every claim: a lease only has to outlast the step that took it. */
const LEASE_MS = 60_000;

export interface LocalProposal {
  id: string;
  /** The signed review link, as the published message carries it. */
  reviewUrl: string;
  /** The record as first stored (pending), every denial of the file counted. */
  record: IncidentRecord;
}

export interface OpenIncidentsDependencies {
  store: IncidentStore;
  notifier: Notifier;
  linkMac: LinkMacGenerator;
  /** The local server's URL: review links start with it. */
  reviewBaseUrl: string;
}

/** Opens the incidents of `proposals` (diagnosed already) and publishes their messages. */
export async function openIncidents(
  deps: OpenIncidentsDependencies,
  proposals: readonly { denial: Denial; diagnosis: Diagnosis }[],
): Promise<LocalProposal[]> {
  const diagnoses = new Map(proposals.map(({ denial, diagnosis }) => [denial, diagnosis]));
  const reviewUrls = new Map<string, string>();
  // Review links only: locally there is no API Gateway to take the IAM routes.
  const linksOf = messageLinksBuilder({ mode: 'link', reviewBaseUrl: deps.reviewBaseUrl }, deps.linkMac);
  const workflow: IncidentWorkflowDependencies = {
    store: deps.store,
    notifier: deps.notifier,
    diagnose: async (denial) => {
      const diagnosis = diagnoses.get(denial);
      if (diagnosis === undefined)
        throw new PassRoleDoctorError(`denial ${denial.eventId} was not diagnosed`);
      return diagnosis;
    },
    clock: () => new Date(),
    newProposalId: randomUUID,
    approvalLinks: async (record) => {
      const links = await linksOf(record);
      if (links.reviewUrl !== null) reviewUrls.set(record.id, links.reviewUrl);
      return links;
    },
    leaseUntil: (from) => new Date(from.getTime() + LEASE_MS),
    settings: { proposalTtlHours: PROPOSAL_TTL_HOURS, renotifyAfterHours: RENOTIFY_AFTER_HOURS },
    holdMessages: true,
  };

  // Every denial counted, no message sent yet: the first denial of each incident opens it.
  const opening: Denial[] = [];
  for (const { denial } of proposals) {
    const outcome = await processDenial(workflow, denial);
    if (outcome.kind === 'created') opening.push(denial);
    else if (outcome.kind !== 'repeat') throw unexpected(denial, outcome.kind);
  }

  // That denial again sends the incident's first message (its occurrence is counted once).
  const opened: LocalProposal[] = [];
  for (const denial of opening) {
    const outcome = await processDenial({ ...workflow, holdMessages: false }, denial);
    if (outcome.kind !== 'first-message-sent') throw unexpected(denial, outcome.kind);
    const reviewUrl = reviewUrls.get(outcome.record.id);
    if (reviewUrl !== undefined) opened.push({ id: outcome.record.id, reviewUrl, record: outcome.record });
  }
  return opened;
}

/** In one process over the in-memory store nothing races: every other outcome is a bug. */
function unexpected(denial: Denial, outcome: string): PassRoleDoctorError {
  return new PassRoleDoctorError(`denial ${denial.eventId} came to ${outcome} in the local server`);
}
