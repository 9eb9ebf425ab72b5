/** Shared by the approval handler's tests: events as API Gateway sends them, a watched store, recorders. */
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import { approvalClaimsOf, type ApprovalMode } from '../../../lambda/core/approval/links';
import { linkMacOf, tokenOf } from '../../support/link-tokens';
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { ApplyProgress } from '../../../lambda/core/apply/permission-set/progress';
import {
  createApprovalHandler,
  type ApprovalEvent,
  type ApprovalHandler,
  type ApprovalHandlerDependencies,
} from '../../../lambda/handlers/approval/handler';
import type { ApplyTrigger } from '../../../lambda/ports/apply-trigger';
import type { EscalationLevel } from '../../../lambda/core/escalation/model';
import type {
  ApplyClaim,
  ApprovalOutcome,
  ApprovalRequest,
  DecisionStore,
  ResultPublished,
  TransitionOutcome,
  TransitionRequest,
} from '../../../lambda/ports/approval-store';
import { proposalRecord } from '../../adapters/support/proposal-records';
import { analyserAt, FakeEscalationReader } from '../../support/escalation';
import { RecordingLogger } from '../../support/recording-logger';

// Still exported from here, where tests (some under test/integration) import it.
export { RecordingLogger } from '../../support/recording-logger';

export const KEY = 'approval-test-signing-key-'.padEnd(64, 'x');
/** The day after the seed proposal was made; it expires two days later. */
export const NOW = new Date('2026-06-18T00:00:00Z');
export const SOURCE_IP = '198.51.100.7';
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) Chromium';
export const APPROVER_ARN = 'arn:aws:iam::123456789012:user/alice';

export function tokenFor(record: IncidentRecord, key = KEY): string {
  const claims = approvalClaimsOf(record);
  if (claims === null) throw new Error(`record ${record.id} has no proposal to sign`);
  return tokenOf(claims, key);
}

export interface EventOptions {
  query?: Record<string, string>;
  body?: string;
  base64?: boolean;
  headers?: Record<string, string>;
  /** The SigV4 caller, as the AWS_IAM authorizer reports it. */
  callerArn?: string;
  stage?: string;
}

/** A payload-format-2.0 event as API Gateway builds it for `method path`. */
export function apiEvent(method: string, path: string, options: EventOptions = {}): ApprovalEvent {
  const stage = options.stage ?? '$default';
  const rawPath = stage === '$default' ? path : `/${stage}${path}`;
  const body = options.body;
  const event: APIGatewayProxyEventV2WithIAMAuthorizer = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'abc123.execute-api.ap-northeast-1.amazonaws.com',
      'user-agent': USER_AGENT,
      ...(body !== undefined && options.callerArn === undefined
        ? { 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.ap-northeast-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: USER_AGENT },
      requestId: 'request-1',
      routeKey: `${method} ${path}`,
      stage,
      time: '18/Jun/2026:00:00:00 +0000',
      timeEpoch: NOW.getTime(),
      authorizer: {
        iam: {
          accessKey: 'AKIAEXAMPLE',
          accountId: '123456789012',
          callerId: 'AIDAEXAMPLE',
          cognitoIdentity: null,
          principalOrgId: '',
          userArn: options.callerArn ?? '',
          userId: 'AIDAEXAMPLE',
        },
      },
    },
    isBase64Encoded: options.base64 ?? false,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(body !== undefined ? { body: options.base64 ? Buffer.from(body).toString('base64') : body } : {}),
  };
  if (options.callerArn === undefined) {
    // Link routes have no authorizer: API Gateway sends no authorizer block at all.
    const { authorizer: _none, ...context } = event.requestContext;
    return { ...event, requestContext: context };
  }
  return event;
}

/** What a browser sends with a form posted from the API's own review page. */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/** The form the review page posts (from its own origin, unless `headers` say otherwise). */
export function formPost(path: string, token: string, options: EventOptions = {}): ApprovalEvent {
  return apiEvent('POST', path, {
    body: new URLSearchParams({ token }).toString(),
    ...options,
    headers: { ...SAME_ORIGIN, ...options.headers },
  });
}

/** The in-memory store, counting every write the handler asks of it. */
export class WatchedStore implements DecisionStore {
  readonly writes: string[] = [];
  constructor(readonly inner: InMemoryIncidentStore) {}
  get(proposalId: string): Promise<IncidentRecord | null> {
    return this.inner.get(proposalId);
  }
  transition(proposalId: string, request: TransitionRequest): Promise<TransitionOutcome> {
    this.writes.push(`transition ${request.from}->${request.to}`);
    return this.inner.transition(proposalId, request);
  }
  addApproval(proposalId: string, request: ApprovalRequest): Promise<ApprovalOutcome> {
    this.writes.push(`addApproval ${request.approver.name}`);
    return this.inner.addApproval(proposalId, request);
  }
  claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<ApplyClaim> {
    this.writes.push('claimApply');
    return this.inner.claimApply(proposalId, now, leaseUntil);
  }
  releaseApply(proposalId: string, leaseUntil: Date): Promise<void> {
    this.writes.push('releaseApply');
    return this.inner.releaseApply(proposalId, leaseUntil);
  }
  saveApplyProgress(proposalId: string, progress: ApplyProgress, leaseUntil: Date): Promise<boolean> {
    this.writes.push('saveApplyProgress');
    return this.inner.saveApplyProgress(proposalId, progress, leaseUntil);
  }
  markResultPublished(proposalId: string, published: ResultPublished): Promise<void> {
    this.writes.push('markResultPublished');
    return this.inner.markResultPublished(proposalId, published);
  }
  listByStatus(status: IncidentRecord['status'], limit: number): Promise<IncidentRecord[]> {
    return this.inner.listByStatus(status, limit);
  }
}

export class RecordingTrigger implements ApplyTrigger {
  readonly requested: string[] = [];
  /** What to do in-process (the local server applies right away); nothing by default. */
  onRequest: (proposalId: string) => Promise<void> = async () => undefined;
  async requestApply(proposalId: string): Promise<void> {
    this.requested.push(proposalId);
    await this.onRequest(proposalId);
  }
}

export interface Harness {
  handler: ApprovalHandler;
  store: WatchedStore;
  memory: InMemoryIncidentStore;
  trigger: RecordingTrigger;
  logger: RecordingLogger;
  record: IncidentRecord;
  token: string;
  /** The account as the re-check reads it (who gains the grant). */
  reader: FakeEscalationReader;
  keys: LocalDecisionKeys;
}

export interface HarnessOptions {
  mode?: ApprovalMode;
  records?: IncidentRecord[];
  now?: Date;
  /** The level the injected analysis finds at decision time (null: unknown); `contained` by default. */
  level?: EscalationLevel | null;
  settings?: Partial<ApprovalHandlerDependencies['settings']>;
  deps?: Partial<ApprovalHandlerDependencies>;
}

/** The handler over an in-memory store holding the seed proposal `p-1` (and any other records). */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const memory = new InMemoryIncidentStore();
  const records = options.records ?? [proposalRecord()];
  for (const record of records) await memory.create(record, new Date(record.createdAt));
  const store = new WatchedStore(memory);
  const trigger = new RecordingTrigger();
  const logger = new RecordingLogger();
  const now = options.now ?? NOW;
  const reader = new FakeEscalationReader();
  const keys = new LocalDecisionKeys('test:decision-key');
  const handler = createApprovalHandler(
    harnessDependencies({ store, trigger, logger, reader, keys, now, options }),
  );
  const record = records[0] as IncidentRecord;
  return {
    handler,
    store,
    memory,
    trigger,
    logger,
    record,
    token: record.proposal ? tokenFor(record) : '',
    reader,
    keys,
  };
}

interface HarnessParts {
  store: DecisionStore;
  trigger: ApplyTrigger;
  logger: RecordingLogger;
  reader: FakeEscalationReader;
  keys: LocalDecisionKeys;
  now: Date;
  options: HarnessOptions;
}

/** The handler's dependencies as the harness builds them (also for createApprovalFunction). */
export function harnessDependencies(parts: HarnessParts): ApprovalHandlerDependencies {
  const { options } = parts;
  let decisions = 0;
  return {
    store: parts.store,
    applyTrigger: parts.trigger,
    linkMac: linkMacOf(KEY),
    signer: parts.keys.signer,
    escalationReader: parts.reader,
    analyse: analyserAt(options.level === undefined ? 'contained' : options.level),
    logger: parts.logger,
    settings: { approvalMode: options.mode ?? 'both', ...options.settings },
    clock: () => new Date(parts.now),
    newDecisionId: () => `decision-${++decisions}`,
    ...options.deps,
  };
}
