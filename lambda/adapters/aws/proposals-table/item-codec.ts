/**
 * Proposal and incident items <-> records. The maps in an item are this store's own writes, so their
 * shape is trusted; the scalar fields are checked.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
// lib-dynamodb's own marshaller: it leaves the old images of failed conditions unconverted.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DecisionApprover, SignedDecision } from '../../../core/approval/signed-decision';
import { AwsCallError } from '../../../core/errors';
import {
  canonicalJson,
  epochSeconds,
  type IncidentEvent,
  type IncidentRecord,
  type IncidentStatus,
} from '../../../core/incident';
import type { Denial, Diagnosis, Proposal } from '../../../core/model';
import type { OrganizationAccount } from '../../../core/organization/model';
import { decodeApplyOutcome } from '../../../core/apply/outcome';
import { decodeApplyProgress } from '../../../core/apply/permission-set/progress';
import { decodeStoredDiagnosis, withDenialDefaults } from '../../../core/diagnosis/stored';
import { incidentKey, proposalKey, type Item } from './schema';

/**
 * The record's fields a diagnosis may also hold: an item stores each once, at the top, and lists the
 * keys its `diagnosis` map leaves out in `diagnosisOmits`. The diagnosis is read as a plain map, so
 * this holds for any shape of it (one flat record, or a union whose variants hold some of the keys).
 */
const STORED_ONCE = ['denial', 'proposal'] as const;

/** The diagnosis without the keys whose value is the record's own, and those keys. */
function storedDiagnosis(record: IncidentRecord): { diagnosis: Item; omits: string[] } {
  const entries = Object.entries(record.diagnosis as unknown as Item);
  const isStoredOnce = ([key, value]: [string, unknown]) =>
    STORED_ONCE.some(
      (field) =>
        field === key && value !== undefined && canonicalJson(value) === canonicalJson(record[field] ?? null),
    );
  return {
    diagnosis: Object.fromEntries(entries.filter((entry) => !isStoredOnce(entry))),
    omits: STORED_ONCE.filter((field) => entries.some((entry) => entry[0] === field && isStoredOnce(entry))),
  };
}

/**
 * The diagnosis with the left-out keys put back from the record. Items written before
 * `diagnosisOmits` left out only the denial (their diagnosis holds its own copy of the proposal).
 */
function restoredDiagnosis(item: Item, fields: { denial: Denial; proposal: Proposal | null }): Diagnosis {
  const stored = requiredMap(item, 'diagnosis');
  const omits = item['diagnosisOmits'];
  const keys = Array.isArray(omits)
    ? omits.filter((key): key is 'denial' | 'proposal' => key in fields)
    : ['denial' as const];
  // Both releases' shapes: the flat diagnosis of the previous one decodes as `recorded`.
  return decodeStoredDiagnosis({ ...stored, ...Object.fromEntries(keys.map((key) => [key, fields[key]])) });
}

/**
 * The item of a record: each record field under its own name (the id as proposalId), a field the
 * record holds as null left out rather than stored as NULL, and the diagnosis without what the item
 * already holds.
 */
export function toProposalItem(record: IncidentRecord): Item {
  const { id, diagnosis: _stored, ...fields } = record;
  const { diagnosis, omits } = storedDiagnosis(record);
  const present = Object.entries(fields).filter(([, value]) => value !== null && value !== undefined);
  return {
    ...proposalKey(id),
    entityType: 'proposal',
    proposalId: id,
    ttl: epochSeconds(record.expiresAt),
    ...Object.fromEntries(present),
    diagnosis,
    diagnosisOmits: omits,
  };
}

export function toIncidentItem(record: IncidentRecord): Item {
  return {
    ...incidentKey(record.incidentKey),
    entityType: 'incident',
    incidentKey: record.incidentKey,
    proposalId: record.id,
    openUntil: record.expiresAt,
    openedAt: record.createdAt,
    ttl: epochSeconds(record.expiresAt),
  };
}

function requiredString(item: Item, name: string): string {
  const value = item[name];
  if (typeof value !== 'string') {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no string ${name}`);
  }
  return value;
}

export function optionalString(item: Item, name: string): string | null {
  const value = item[name];
  return typeof value === 'string' ? value : null;
}

function requiredNumber(item: Item, name: string): number {
  const value = item[name];
  if (typeof value !== 'number') {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no number ${name}`);
  }
  return value;
}

function requiredMap(item: Item, name: string): Item {
  const value = item[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no map ${name}`);
  }
  return value as Item;
}

function optionalMap(item: Item, name: string): Item | null {
  const value = item[name];
  return value === undefined || value === null ? null : requiredMap(item, name);
}

function historyOf(item: Item): IncidentEvent[] {
  const value = item['history'];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no list history`);
  }
  return value as IncidentEvent[];
}

/** The record of a proposal item. The maps are this store's own writes, so their shape is trusted. */
export function fromProposalItem(item: Item): IncidentRecord {
  // Items of releases before a denial field existed lack it: withDenialDefaults gives what they meant.
  const denial = withDenialDefaults(requiredMap(item, 'denial') as unknown as Partial<Denial>);
  const proposal = optionalMap(item, 'proposal') as unknown as Proposal | null;
  const status = requiredString(item, 'status') as IncidentStatus;
  const history = historyOf(item);
  return {
    id: requiredString(item, 'proposalId'),
    incidentKey: requiredString(item, 'incidentKey'),
    status,
    denial,
    diagnosis: restoredDiagnosis(item, { denial, proposal }),
    proposal,
    documentHash: optionalString(item, 'documentHash'),
    createdAt: requiredString(item, 'createdAt'),
    expiresAt: requiredString(item, 'expiresAt'),
    occurrenceCount: requiredNumber(item, 'occurrenceCount'),
    firstEventId: requiredString(item, 'firstEventId'),
    lastEventId: requiredString(item, 'lastEventId'),
    lastSeenAt: requiredString(item, 'lastSeenAt'),
    ...(typeof item['lastEventTime'] === 'string' ? { lastEventTime: item['lastEventTime'] } : {}),
    notifiedAt: optionalString(item, 'notifiedAt'),
    notificationCount: requiredNumber(item, 'notificationCount'),
    notificationLeaseUntil: optionalString(item, 'notificationLeaseUntil'),
    history,
    // Items of the previous release tell a refusal only by its history entry's words.
    outcome: decodeApplyOutcome(optionalMap(item, 'outcome'), { status, history }),
    applyLeaseUntil: optionalString(item, 'applyLeaseUntil'),
    applyAttempts: typeof item['applyAttempts'] === 'number' ? item['applyAttempts'] : 0,
    resultMessageAt: optionalString(item, 'resultMessageAt'),
    resultEventAt: optionalString(item, 'resultEventAt'),
    ...decisionFields(item),
    ...organizationFields(item),
    ...(item['applyProgress'] === undefined
      ? {}
      : { applyProgress: decodeApplyProgress(item['applyProgress']) }),
  };
}

/**
 * Organization mode's account (name, OU path), when the item has it: single-account items and items
 * written before organization mode have none. A malformed one is dropped: the account the record acts
 * in is the denial's own, so a lost name only leaves the messages without it.
 */
function organizationFields(item: Item): { organizationAccount?: OrganizationAccount } {
  const value = item['organizationAccount'];
  if (typeof value !== 'object' || value === null) return {};
  const { id, name, ouPath } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof name !== 'string' || !Array.isArray(ouPath)) return {};
  const units = ouPath.flatMap((entry: unknown) => {
    const unit = entry as Record<string, unknown> | null;
    return unit !== null &&
      typeof unit === 'object' &&
      typeof unit['id'] === 'string' &&
      typeof unit['name'] === 'string'
      ? [{ id: unit['id'], name: unit['name'] }]
      : [];
  });
  if (units.length !== ouPath.length) return {};
  return { organizationAccount: { id, name, ouPath: units } };
}

/**
 * The signed decision and the approvals so far, when the item has them (items written before decisions
 * were signed have neither). A malformed one is dropped rather than trusted: the apply step refuses an
 * approved record without a decision it can verify, and a lost approval only asks for it again.
 */
function decisionFields(item: Item): { decision?: SignedDecision | null; approvals?: DecisionApprover[] } {
  const fields: { decision?: SignedDecision | null; approvals?: DecisionApprover[] } = {};
  const decision = item['decision'];
  if (decision !== undefined) {
    const d = decision as Record<string, unknown> | null;
    fields.decision =
      d !== null &&
      typeof d === 'object' &&
      typeof d['envelope'] === 'string' &&
      typeof d['signature'] === 'string'
        ? { envelope: d['envelope'], signature: d['signature'] }
        : null;
  }
  const approvals = item['approvals'];
  if (Array.isArray(approvals)) {
    fields.approvals = approvals.flatMap((entry: unknown) => {
      const a = entry as Record<string, unknown> | null;
      if (a === null || typeof a !== 'object') return [];
      const { kind, name, identity } = a;
      if ((kind !== 'iam' && kind !== 'link-holder' && kind !== 'rule') || typeof name !== 'string')
        return [];
      return typeof identity === 'string' ? [{ kind, name, identity }] : [];
    });
  }
  return fields;
}

const ATTRIBUTE_VALUE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/**
 * The old image DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure
 * ALL_OLD), as a plain item; null when there is none (the item does not exist, or the endpoint did not
 * return it).
 */
export function oldImageOf(image: unknown): Item | null {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) return null;
  const entries = Object.values(image as Record<string, unknown>);
  if (entries.length === 0) return null;
  const isWireFormat = entries.every(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.keys(value).length === 1 &&
      ATTRIBUTE_VALUE_TYPES.has(Object.keys(value)[0] ?? ''),
  );
  return isWireFormat ? unmarshall(image as Record<string, AttributeValue>) : (image as Item);
}

/** A string attribute of an item DynamoDB returned unconverted ({S: '...'}), as in cancellation reasons. */
export function rawString(item: unknown, name: string): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const value = (item as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const s = (value as Record<string, unknown>)['S'];
    if (typeof s === 'string') return s;
  }
  return null;
}
