/**
 * Reads CloudTrail input into iam:PassRole denials, or says why a record is not one (not-applicable) or
 * not a CloudTrail record at all (invalid). Pure: no AWS calls; EC2's encoded messages are decoded by
 * the caller (see encodedAuthorizationMessages) and handed in through ReadOptions.
 */
import type { Denial, MessageCause } from '../model';
import { accountOf, isRoleArn, partitionForRegion, roleArnFrom, roleNameOf } from '../iam/arn';
import { type DecodedAuthorization, parseDecodedAuthorization } from './decoded-message';
import { type ParsedErrorMessage, parseErrorMessage } from './error-message';
import { iamActionFor, operationName } from './iam-action';
import { describeType, isJsonObject, type JsonObject, stringField, stringsAtPath, walkStrings } from './json';
import { passedToServiceDetail, type RoleParameter, roleParametersFor } from './passrole-apis';
import { readPrincipal } from './principal';
import { buildRequestContext } from './request-context';

export type ReadOutcome =
  | { kind: 'denial'; denial: Denial; where: string }
  | { kind: 'not-applicable'; eventId: string | null; reason: string; where: string }
  | { kind: 'invalid'; reason: string; where: string };

export interface ReadOptions {
  /** Decoded EC2 authorization messages (sts:DecodeAuthorizationMessage output JSON), keyed by the encoded blob. */
  decodedMessages?: ReadonlyMap<string, string>;
}

const AUTHORIZATION_ERROR_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
]);
const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** Sources EventBridge reserves for AWS services: CloudTrail's events carry aws.<service>. */
const AWS_SOURCE_PREFIX = 'aws.';
/** What CloudTrail writes instead of a sensitive request parameter. */
const HIDDEN_PARAMETER = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const EXPECTED_INPUT = 'a CloudTrail record, an EventBridge event or a log file {"Records": [...]}';
/**
 * CloudTrail's event IDs are UUIDs. The ID keys idempotency, is stored with the proposal and logged:
 * one longer, or with other characters, is forged, and refused rather than carried along.
 */
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
export const MAX_EVENT_ID_CHARS = 128;
/** No IAM or STS ARN, name or ID is longer (a role ARN, path included, stays under 700). */
export const MAX_DENIAL_FIELD_CHARS = 2_048;
/**
 * A real record's denial takes about 1 KB. It is stored with its proposal, whose diagnosis quotes its
 * names again: bounded here, the proposal stays far under DynamoDB's 400 KB item limit.
 */
export const MAX_DENIAL_BYTES = 32 * 1024;
/** The roles a note lists when a request passes several: enough to see what happened. */
const LISTED_ROLES = 10;

// ---------------------------------------------------------------- small helpers

/** A value from the input, fit for a one-line reason: whitespace collapsed, long values cut. */
function quote(value: string, limit = 120): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

function at(where: string, location: string): string {
  return where === '' ? location : `${where}: ${location}`;
}

function invalid(where: string, reason: string): ReadOutcome {
  return { kind: 'invalid', reason, where };
}

function isPlausibleEventId(eventId: string): boolean {
  return eventId.length <= MAX_EVENT_ID_CHARS && EVENT_ID_PATTERN.test(eventId);
}

/** The eventID, for outcomes that only mention it: null when absent or not plausibly CloudTrail's. */
function mentionedEventId(object: JsonObject): string | null {
  const eventId = stringField(object, 'eventID');
  return eventId !== null && isPlausibleEventId(eventId) ? eventId : null;
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

function isPassRole(action: string): boolean {
  return action.toLowerCase() === 'iam:passrole';
}

function sameRole(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

function sameRoleName(left: string, right: string): boolean {
  return roleNameOf(left).toLowerCase() === roleNameOf(right).toLowerCase();
}

// ---------------------------------------------------------------- where the records are

type Located = { kind: 'record'; record: unknown; where: string } | ReadOutcome;

function locateRecords(input: unknown, where: string): Located[] {
  if (!isJsonObject(input)) {
    const hint = Array.isArray(input) ? ' (wrap records as {"Records": [...]})' : '';
    return [invalid(where, `expected ${EXPECTED_INPUT}, got ${describeType(input)}${hint}`)];
  }
  if ('Records' in input) {
    const records = input['Records'];
    if (!Array.isArray(records)) {
      return [invalid(where, `Records is ${describeType(records)}, expected an array of CloudTrail records`)];
    }
    return records.map((record, index) => ({
      kind: 'record',
      record,
      where: at(where, `Records[${index}]`),
    }));
  }
  if ('detail-type' in input) {
    const detailType = input['detail-type'];
    const detail = input['detail'];
    if (typeof detailType !== 'string') {
      return [invalid(where, `detail-type is ${describeType(detailType)}, expected a string`)];
    }
    if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
      const eventId = isJsonObject(detail) ? mentionedEventId(detail) : null;
      const reason = `EventBridge event of type '${quote(detailType)}' is not an API call recorded by CloudTrail`;
      return [{ kind: 'not-applicable', eventId, reason, where }];
    }
    // Anyone allowed events:PutEvents can put this detail-type on a bus, but not an aws.* source:
    // EventBridge keeps those to AWS services. (A hand-built envelope without a source is read as is.)
    const source = input['source'];
    if (source !== undefined && typeof source !== 'string') {
      return [invalid(where, `source is ${describeType(source)}, expected a string`)];
    }
    if (typeof source === 'string' && !source.startsWith(AWS_SOURCE_PREFIX)) {
      const eventId = isJsonObject(detail) ? mentionedEventId(detail) : null;
      const reason = `EventBridge event from source '${quote(source)}', not from AWS: CloudTrail's events come from aws.* sources, which only AWS services can put on a bus`;
      return [{ kind: 'not-applicable', eventId, reason, where }];
    }
    if (!isJsonObject(detail)) {
      return [
        invalid(where, `EventBridge event's detail is ${describeType(detail)}, expected a CloudTrail record`),
      ];
    }
    return [{ kind: 'record', record: detail, where: at(where, 'detail') }];
  }
  return [{ kind: 'record', record: input, where }];
}

// ---------------------------------------------------------------- record shape

const OPTIONAL_STRING_FIELDS = [
  'eventID',
  'errorCode',
  'errorMessage',
  'awsRegion',
  'eventTime',
  'recipientAccountId',
  'sourceIPAddress',
];
const OPTIONAL_IDENTITY_STRING_FIELDS = ['type', 'arn', 'accountId', 'principalId', 'invokedBy'];

/** What makes the object not a CloudTrail record, or null when it is one. */
function recordShapeProblem(record: JsonObject): string | null {
  const required = ['eventSource', 'eventName', 'userIdentity'];
  if (required.every((key) => record[key] === undefined)) {
    return 'it has none of eventSource, eventName and userIdentity';
  }
  for (const key of ['eventSource', 'eventName']) {
    const value = record[key];
    if (value === undefined) return `${key} is missing`;
    if (typeof value !== 'string') return `${key} is ${describeType(value)}, expected a string`;
    if (value.trim() === '') return `${key} is empty`;
  }
  const identity = record['userIdentity'];
  if (identity === undefined) return 'userIdentity is missing';
  if (!isJsonObject(identity)) return `userIdentity is ${describeType(identity)}, expected an object`;
  for (const key of OPTIONAL_STRING_FIELDS) {
    const value = record[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return `${key} is ${describeType(value)}, expected a string`;
    }
  }
  for (const key of OPTIONAL_IDENTITY_STRING_FIELDS) {
    const value = identity[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return `userIdentity.${key} is ${describeType(value)}, expected a string`;
    }
  }
  const parameters = record['requestParameters'];
  if (parameters !== undefined && parameters !== null && !isJsonObject(parameters)) {
    return `requestParameters is ${describeType(parameters)}, expected an object or null`;
  }
  const eventId = stringField(record, 'eventID');
  if (eventId !== null && !isPlausibleEventId(eventId)) {
    const shown = eventId.length > 40 ? `${JSON.stringify(eventId.slice(0, 40))}…` : JSON.stringify(eventId);
    return `eventID ${shown} (${eventId.length} characters) is not a CloudTrail event ID: at most ${MAX_EVENT_ID_CHARS} letters, digits and - _ : .`;
  }
  return null;
}

// ---------------------------------------------------------------- the passed role

interface RoleCandidate {
  /** The role as an ARN; null for an instance profile. */
  arn: string | null;
  value: string;
  /** The request parameter's path as the table or the scan found it. */
  parameter: string;
  instanceProfile: boolean;
}

interface RoleSearch {
  candidates: RoleCandidate[];
  hidden: string[];
  /** The candidates came from scanning requestParameters, not from the table. */
  scanned: boolean;
}

function findRoleCandidates(
  parameters: JsonObject | null,
  eventSource: string,
  eventName: string,
  expand: (nameOrArn: string) => string,
): RoleSearch {
  const search: RoleSearch = { candidates: [], hidden: [], scanned: false };
  if (parameters === null) return search;
  const wrapper = `${operationName(eventName)}Request.`;
  const table: RoleParameter[] = roleParametersFor(eventSource, eventName);
  for (const parameter of table) {
    for (const path of [parameter.path, wrapper + parameter.path]) {
      for (const value of stringsAtPath(parameters, path)) {
        if (value === HIDDEN_PARAMETER) {
          search.hidden.push(path);
          continue;
        }
        const arn = parameter.instanceProfile === true ? null : expand(value);
        if (arn !== null && !isRoleArn(arn)) continue;
        search.candidates.push({
          arn,
          value,
          parameter: path,
          instanceProfile: parameter.instanceProfile === true,
        });
      }
    }
  }
  if (search.candidates.some((candidate) => candidate.arn !== null)) return search;
  // The API is not in the table, or passes the role in a parameter the table does not know: whichever role ARN it holds will do.
  for (const { path, value } of walkStrings(parameters)) {
    if (isRoleArn(value)) {
      search.candidates.push({ arn: value, value, parameter: path, instanceProfile: false });
      search.scanned = true;
    }
  }
  return search;
}

function distinctRoles(candidates: RoleCandidate[]): RoleCandidate[] {
  const seen: RoleCandidate[] = [];
  for (const candidate of candidates) {
    if (candidate.arn === null) continue;
    const arn = candidate.arn;
    if (!seen.some((other) => other.arn !== null && sameRole(other.arn, arn))) seen.push(candidate);
  }
  return seen;
}

interface RoleChoice {
  roleArn: string | null;
  /** The request parameter that carried the role, when known (decides iam:PassedToService for some APIs). */
  roleParameter: string | undefined;
  notes: string[];
}

function roleFromMessage(
  parsed: ParsedErrorMessage,
  expand: (nameOrArn: string) => string,
  notes: string[],
): string | null {
  const resource = parsed.resource;
  if (resource === null || parsed.resourceCut) return null;
  if (resource === '*') {
    notes.push("errorMessage names resource '*', not a role");
    return null;
  }
  const arn = expand(resource);
  if (!isRoleArn(arn)) {
    notes.push(`errorMessage names resource '${quote(resource)}', which is not a role`);
    return null;
  }
  if (!resource.startsWith('arn:')) {
    notes.push(`errorMessage names the role as '${quote(resource)}': read as ${arn}`);
  }
  return arn;
}

/** The candidate that carried `roleArn`, matched by ARN, else by name (parameters may give only the name). */
function carrierOf(roleArn: string, search: RoleSearch, notes: string[]): string | undefined {
  const roles = search.candidates.filter((candidate) => candidate.arn !== null);
  const exact = roles.find((candidate) => candidate.arn !== null && sameRole(candidate.arn, roleArn));
  if (exact !== undefined) return exact.parameter;
  const byName = search.candidates.find((candidate) => sameRoleName(candidate.value, roleArn));
  if (byName !== undefined) return byName.parameter;
  const profiles = search.candidates.filter((candidate) => candidate.instanceProfile);
  const [profile] = profiles;
  if (profiles.length === 1 && profile !== undefined) {
    notes.push(
      `the role is not among the request's role parameters: taken to be the role in instance profile '${quote(profile.value)}' (${profile.parameter})`,
    );
    return profile.parameter;
  }
  const [other] = distinctRoles(roles);
  if (other?.arn != null) {
    notes.push(`requestParameters.${other.parameter} passes ${other.arn}; the denied role is ${roleArn}`);
  }
  return undefined;
}

function chooseRole(
  parsed: ParsedErrorMessage,
  decoded: DecodedAuthorization | null,
  search: RoleSearch,
  expand: (nameOrArn: string) => string,
): RoleChoice {
  const notes: string[] = [];
  const fromMessage = roleFromMessage(parsed, expand, notes);
  if (fromMessage !== null) {
    return { roleArn: fromMessage, roleParameter: carrierOf(fromMessage, search, notes), notes };
  }
  const fromDecoded = decoded?.resource ?? null;
  if (fromDecoded !== null && isRoleArn(fromDecoded)) {
    notes.push('role named by the decoded authorization message');
    return { roleArn: fromDecoded, roleParameter: carrierOf(fromDecoded, search, notes), notes };
  }
  const roles = distinctRoles(search.candidates);
  const source = search.scanned ? 'found by scanning requestParameters (the API is not in the table)' : '';
  if (parsed.resourceCut && parsed.resource !== null) {
    const cut = parsed.resource.startsWith('arn:') ? parsed.resource : expand(parsed.resource);
    const matching = roles.filter((role) => role.arn?.toLowerCase().startsWith(cut.toLowerCase()) === true);
    const [match] = matching;
    if (matching.length === 1 && match?.arn != null) {
      notes.push(
        `role taken from requestParameters.${match.parameter}, which begins like the cut role ${source}`.trim(),
      );
      return { roleArn: match.arn, roleParameter: match.parameter, notes };
    }
    notes.push('no role in requestParameters begins like the cut role: the passed role is unknown');
    return { roleArn: null, roleParameter: undefined, notes };
  }
  const [only] = roles;
  if (roles.length === 1 && only?.arn != null) {
    notes.push(`errorMessage names no role: taken from requestParameters.${only.parameter} ${source}`.trim());
    return { roleArn: only.arn, roleParameter: only.parameter, notes };
  }
  if (roles.length > 1) {
    const more = roles.length > LISTED_ROLES ? ` and ${roles.length - LISTED_ROLES} more` : '';
    const listed =
      roles
        .slice(0, LISTED_ROLES)
        .map((role) => `${role.parameter}=${role.arn ?? role.value}`)
        .join(', ') + more;
    notes.push(`the request passes several roles (${listed}) and errorMessage does not say which was denied`);
    return { roleArn: null, roleParameter: undefined, notes };
  }
  const profiles = search.candidates.filter((candidate) => candidate.instanceProfile);
  for (const profile of profiles) {
    notes.push(
      `requestParameters.${profile.parameter} passes instance profile '${quote(profile.value)}': an instance profile is not a role, and the record does not name the role in it`,
    );
  }
  if (profiles.length === 0) notes.push('neither errorMessage nor requestParameters names the passed role');
  return { roleArn: null, roleParameter: profiles[0]?.parameter, notes };
}

// ---------------------------------------------------------------- the denial

interface DenialInput {
  record: JsonObject;
  identity: JsonObject;
  eventSource: string;
  eventName: string;
  parsed: ParsedErrorMessage;
  decoded: DecodedAuthorization | null;
  notes: string[];
}

function messageNotes(parsed: ParsedErrorMessage, decodedGiven: boolean): string[] {
  const notes: string[] = [];
  if (parsed.truncated) notes.push("errorMessage cut at CloudTrail's 1 KB limit (it ends with '...')");
  if (parsed.resourceCut) {
    notes.push(
      `the role in errorMessage is cut ('${quote(parsed.resource ?? '')}'): looked for in requestParameters`,
    );
  }
  if (parsed.causeCut) notes.push("errorMessage cut before the denying policy's type or ARN");
  if (parsed.encoded !== null && !parsed.encoded.complete) {
    notes.push('encoded authorization message cut at 1 KB: it cannot be decoded');
  } else if (parsed.encoded !== null && !decodedGiven) {
    notes.push('encoded authorization message not decoded');
  }
  if (parsed.crossAccountPassRole) {
    notes.push(
      "errorMessage says 'Cross-account pass role is not allowed': AWS never lets a principal pass a role of another account",
    );
  }
  return notes;
}

function passedToService(
  input: DenialInput,
  roleParameter: string | undefined,
  notes: string[],
): string | null {
  const fromDecoded = input.decoded?.conditions.get('iam:passedtoservice')?.[0] ?? null;
  if (fromDecoded !== null) {
    notes.push('iam:PassedToService taken from the decoded authorization message');
    return fromDecoded;
  }
  const operation = operationName(input.eventName);
  const detail = passedToServiceDetail(input.eventSource, input.eventName, roleParameter);
  if (detail !== null) {
    if (detail.basis === 'service') {
      notes.push(
        `${operation} is not in the table of role-passing APIs: iam:PassedToService assumed to be ${detail.service}, the service's own`,
      );
    }
    return detail.service;
  }
  const host = input.eventSource.trim().toLowerCase();
  notes.push(`iam:PassedToService for ${host} ${operation} is unknown: guessed as the event source ${host}`);
  return host;
}

function messageCause(
  parsed: ParsedErrorMessage,
  decoded: DecodedAuthorization | null,
  notes: string[],
): MessageCause {
  const cause = parsed.cause;
  if (cause.explicit === null && decoded !== null && decoded.explicitDeny !== null) {
    notes.push('explicit or implicit deny taken from the decoded authorization message');
    return { ...cause, explicit: decoded.explicitDeny };
  }
  return cause;
}

function buildDenial(input: DenialInput, where: string): ReadOutcome {
  const { record, identity, eventSource, eventName, parsed, decoded } = input;
  const eventId = stringField(record, 'eventID');
  if (eventId === null)
    return invalid(where, 'an iam:PassRole denial without eventID: the record cannot be identified');
  const region = stringField(record, 'awsRegion');
  if (region === null) return invalid(where, 'an iam:PassRole denial without awsRegion');
  const principal = readPrincipal(identity, parsed.principal);
  const account = stringField(record, 'recipientAccountId') ?? principal.account;
  if (account === null) {
    return invalid(
      where,
      'an iam:PassRole denial without recipientAccountId or userIdentity.accountId: the account is unknown',
    );
  }
  const notes = [...input.notes, ...messageNotes(parsed, decoded !== null)];

  const callerAccount = principal.account ?? account;
  const partition = principal.partition ?? partitionForRegion(region);
  const expand = (nameOrArn: string): string => roleArnFrom(nameOrArn, partition, callerAccount);
  const parameters = isJsonObject(record['requestParameters']) ? record['requestParameters'] : null;
  const search = findRoleCandidates(parameters, eventSource, eventName, expand);
  if (parameters === null) notes.push(`requestParameters is ${describeType(record['requestParameters'])}`);
  for (const path of search.hidden) notes.push(`requestParameters.${path} is hidden by CloudTrail`);
  const role = chooseRole(parsed, decoded, search, expand);
  notes.push(...role.notes);
  if (role.roleArn === null && parameters !== null) {
    const templates = ['launchTemplate.launchTemplateId', 'launchTemplate.launchTemplateName']
      .flatMap((path) => stringsAtPath(parameters, path))
      .map((template) => quote(template));
    if (templates.length > 0)
      notes.push(`launch template ${templates.join(', ')} may carry the instance profile`);
  }
  const roleAccount = role.roleArn === null ? null : accountOf(role.roleArn);
  if (roleAccount !== null && roleAccount !== callerAccount) {
    notes.push(
      `the role is in account ${roleAccount}, the caller in ${callerAccount}: AWS never lets a principal pass a role of another account`,
    );
  }

  const service = passedToService(input, role.roleParameter, notes);
  if (partition === 'aws-cn') notes.push('in China regions iam:PassedToService may end in .amazonaws.com.cn');
  const cause = messageCause(parsed, decoded, notes);
  notes.push(...principal.notes);
  const { context, notes: contextNotes } = buildRequestContext({
    record,
    identity,
    region,
    principalArn: principal.contextPrincipalArn,
  });
  notes.push(...contextNotes);

  let principalArn = principal.principalArn;
  if (principalArn === null) {
    principalArn = stringField(identity, 'invokedBy') ?? stringField(identity, 'principalId') ?? '';
    notes.push('the record names no caller ARN');
  }

  const denial: Denial = {
    eventId,
    eventTime: stringField(record, 'eventTime'),
    account,
    region,
    eventSource,
    eventName,
    deniedAction: iamActionFor(eventSource, eventName),
    principalArn,
    principalType: principal.principalType,
    policySourceArn: principal.policySourceArn,
    permissionSetName: principal.permissionSetName,
    roleArn: role.roleArn,
    passedToService: service,
    messageCause: cause,
    context,
    notes,
  };
  const oversized = oversizedDenialProblem(denial);
  if (oversized !== null) return invalid(where, oversized);
  return { kind: 'denial', denial, where };
}

/** Why the denial is too large to be a real record's (and to be stored), or null when it is not. */
function oversizedDenialProblem(denial: Denial): string | null {
  const { notes: _notes, context, messageCause, ...fields } = denial;
  const named: [string, unknown][] = [
    ...Object.entries(fields),
    ['messageCause.policyArn', messageCause.policyArn],
    ...Object.entries(context).map(([key, value]): [string, unknown] => [`context ${key}`, value]),
  ];
  for (const [name, value] of named) {
    if (typeof value === 'string' && value.length > MAX_DENIAL_FIELD_CHARS) {
      return `an iam:PassRole denial whose ${name} is ${value.length} characters long, over the ${MAX_DENIAL_FIELD_CHARS} any CloudTrail record holds`;
    }
  }
  const bytes = utf8Bytes(JSON.stringify(denial));
  if (bytes > MAX_DENIAL_BYTES) {
    const noteBytes = utf8Bytes(JSON.stringify(denial.notes));
    return `an iam:PassRole denial that takes ${Math.ceil(bytes / 1024)} KB (its notes ${Math.ceil(noteBytes / 1024)} KB): over the ${MAX_DENIAL_BYTES / 1024} KB any CloudTrail record yields`;
  }
  return null;
}

// ---------------------------------------------------------------- one record

/** A reason for a denial that names no action, with a hint when the API is one that passes roles. */
function withRoleHint(reason: string, eventSource: string, eventName: string): string {
  if (roleParametersFor(eventSource, eventName).length === 0) return reason;
  return `${reason} (${operationName(eventName)} passes a role, so it may be an iam:PassRole denial)`;
}

function readRecord(value: unknown, where: string, options: ReadOptions): ReadOutcome {
  if (!isJsonObject(value)) {
    return invalid(where, `expected a CloudTrail record (an object), got ${describeType(value)}`);
  }
  if (value['eventType'] === 'AwsCloudTrailInsight') {
    const reason = 'a CloudTrail Insights event, not an API call';
    return { kind: 'not-applicable', eventId: mentionedEventId(value), reason, where };
  }
  const problem = recordShapeProblem(value);
  if (problem !== null) return invalid(where, `not a CloudTrail record: ${problem}`);
  const record = value;
  // recordShapeProblem has checked these three.
  const eventSource = String(record['eventSource']);
  const eventName = String(record['eventName']);
  const identity = isJsonObject(record['userIdentity']) ? record['userIdentity'] : {};

  const eventId = stringField(record, 'eventID');
  const notApplicable = (reason: string): ReadOutcome => ({ kind: 'not-applicable', eventId, reason, where });

  const errorCode = stringField(record, 'errorCode');
  if (errorCode === null) return notApplicable('the call succeeded: the record has no errorCode');
  const message = stringField(record, 'errorMessage');
  const parsed = message === null ? null : parseErrorMessage(message);
  const notes: string[] = [];
  if (!AUTHORIZATION_ERROR_CODES.has(errorCode)) {
    const passRoleMessage =
      parsed !== null && (isPassRole(parsed.action ?? '') || parsed.crossAccountPassRole);
    if (!passRoleMessage)
      return notApplicable(`errorCode ${quote(errorCode)} is not an authorization failure`);
    notes.push(
      `errorCode ${quote(errorCode)} is not one of AWS's usual authorization failure codes; read as an iam:PassRole denial because errorMessage says so`,
    );
  }
  if (parsed === null || message === null) {
    return notApplicable(
      withRoleHint(
        `denied (${quote(errorCode)}) but the record has no errorMessage: the denied action is unknown`,
        eventSource,
        eventName,
      ),
    );
  }
  if (parsed.action !== null && !isPassRole(parsed.action)) {
    return notApplicable(`the denied action is ${parsed.action}, not iam:PassRole`);
  }

  const encoded = parsed.encoded;
  const decodedText = encoded?.complete === true ? options.decodedMessages?.get(encoded.blob) : undefined;
  const decoded = decodedText === undefined ? null : parseDecodedAuthorization(decodedText);
  if (parsed.action === null && !parsed.crossAccountPassRole) {
    if (encoded !== null) {
      if (!encoded.complete) {
        return notApplicable(
          "encoded authorization message cut at CloudTrail's 1 KB limit: it cannot be decoded, so the denied action is unknown",
        );
      }
      if (decodedText === undefined) {
        return notApplicable(
          'encoded authorization message not decoded: decode it with sts:DecodeAuthorizationMessage to learn the denied action',
        );
      }
      if (decoded === null) {
        return notApplicable(
          'the decoded authorization message is not the JSON sts:DecodeAuthorizationMessage returns',
        );
      }
      if (decoded.action === null) return notApplicable('the decoded authorization message names no action');
      if (!isPassRole(decoded.action)) {
        return notApplicable(
          `the denied action is ${quote(decoded.action)} (decoded authorization message), not iam:PassRole`,
        );
      }
    } else if (parsed.truncated) {
      return notApplicable(
        withRoleHint(
          "errorMessage cut at CloudTrail's 1 KB limit before naming the denied action",
          eventSource,
          eventName,
        ),
      );
    } else {
      return notApplicable(
        withRoleHint(
          `errorMessage does not name the denied action: '${quote(message)}'`,
          eventSource,
          eventName,
        ),
      );
    }
  } else if (
    decodedText !== undefined &&
    (decoded === null || (decoded.action !== null && !isPassRole(decoded.action)))
  ) {
    notes.push('the decoded authorization message does not describe this iam:PassRole denial: ignored');
    return buildDenial({ record, identity, eventSource, eventName, parsed, decoded: null, notes }, where);
  }
  return buildDenial({ record, identity, eventSource, eventName, parsed, decoded, notes }, where);
}

// ---------------------------------------------------------------- the API

/**
 * Accepts a raw CloudTrail record, an EventBridge envelope ({"detail-type":"AWS API Call via CloudTrail",
 * detail: record}), or a log file {"Records":[...]} (each record its own outcome). `where` prefixes
 * locations, e.g. 'denial.json' -> 'denial.json: Records[3]'. Never throws.
 */
export function readDenials(input: unknown, where: string, options: ReadOptions = {}): ReadOutcome[] {
  return locateRecords(input, where).map((located) =>
    located.kind === 'record' ? readRecord(located.record, located.where, options) : located,
  );
}

/**
 * The encoded authorization failure messages in the input that a caller may decode (best effort) before
 * reading: complete ones only (a blob cut at 1 KB cannot be decoded), and only where the plain message
 * does not already name another action than iam:PassRole. Each blob once, in input order.
 */
export function encodedAuthorizationMessages(input: unknown): string[] {
  const blobs: string[] = [];
  for (const located of locateRecords(input, '')) {
    if (located.kind !== 'record' || !isJsonObject(located.record)) continue;
    const message = stringField(located.record, 'errorMessage');
    if (message === null) continue;
    const parsed = parseErrorMessage(message);
    const worthDecoding = parsed.action === null || isPassRole(parsed.action);
    if (parsed.encoded?.complete === true && worthDecoding && !blobs.includes(parsed.encoded.blob)) {
      blobs.push(parsed.encoded.blob);
    }
  }
  return blobs;
}
