/**
 * The denial of a record already known to be an iam:PassRole denial: its identity, account and region,
 * the passed role (passed-role.ts), iam:PassedToService, the message's cause and the request context,
 * with the notes saying what was guessed or unknown. Invalid when a field it must have is missing.
 */
import type { Denial, MessageCause } from '../model';
import { accountOf, partitionForRegion, roleArnFrom } from '../iam/arn';
import { authorizationRegion, authorizationTailNotes } from './authorization-tail';
import type { DecodedAuthorization } from './decoded-message';
import type { ParsedErrorMessage } from './error-message';
import { iamActionFor, operationName } from './iam-action';
import { type JsonObject, stringField } from './json';
import { oversizedDenialProblem } from './denial-bounds';
import { resolvePassedRole } from './passed-role';
import { passedToServiceDetail } from './passrole-apis';
import { readPrincipal } from './principal';
import { quote } from './quote';
import { invalid, type Noted, type ReadOutcome } from './read-outcome';
import { buildRequestContext } from './request-context';

export interface DenialInput {
  record: JsonObject;
  identity: JsonObject;
  eventSource: string;
  eventName: string;
  parsed: ParsedErrorMessage;
  decoded: DecodedAuthorization | null;
  /** What reading the record has noted so far; they come first in the denial's notes. */
  notes: readonly string[];
}

/** What the message's own shape tells: cut, encoded, or a cross-account pass. */
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

function passedToService(input: DenialInput, roleParameter: string | undefined): Noted<string | null> {
  const fromDecoded = input.decoded?.conditions.get('iam:passedtoservice')?.[0] ?? null;
  if (fromDecoded !== null) {
    return {
      value: fromDecoded,
      notes: ['iam:PassedToService taken from the decoded authorization message'],
    };
  }
  const operation = operationName(input.eventName);
  const detail = passedToServiceDetail(input.eventSource, input.eventName, roleParameter);
  if (detail !== null) {
    const notes =
      detail.basis === 'service'
        ? [
            `${operation} is not in the table of role-passing APIs: iam:PassedToService assumed to be ${detail.service}, the service's own`,
          ]
        : [];
    return { value: detail.service, notes };
  }
  const host = input.eventSource.trim().toLowerCase();
  return {
    value: host,
    notes: [`iam:PassedToService for ${host} ${operation} is unknown: guessed as the event source ${host}`],
  };
}

function messageCause(parsed: ParsedErrorMessage, decoded: DecodedAuthorization | null): Noted<MessageCause> {
  // Only when the message says so: a cause without the field reads as the message saying nothing of it.
  const cause: MessageCause = parsed.crossAccountPassRole
    ? { ...parsed.cause, crossAccount: true }
    : parsed.cause;
  if (cause.explicit === null && decoded !== null && decoded.explicitDeny !== null) {
    return {
      value: { ...cause, explicit: decoded.explicitDeny },
      notes: ['explicit or implicit deny taken from the decoded authorization message'],
    };
  }
  return { value: cause, notes: [] };
}

export function buildDenial(input: DenialInput, where: string): ReadOutcome {
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

  const callerAccount = principal.account ?? account;
  const partition = principal.partition ?? partitionForRegion(region);
  const role = resolvePassedRole({
    parsed,
    decoded,
    requestParameters: record['requestParameters'],
    eventSource,
    eventName,
    expand: (nameOrArn) => roleArnFrom(nameOrArn, partition, callerAccount),
  });
  const roleArn = role.value.roleArn;
  const roleAccount = roleArn === null ? null : accountOf(roleArn);
  const crossAccountNotes =
    roleAccount !== null && roleAccount !== callerAccount
      ? [
          `the role is in account ${roleAccount}, the caller in ${callerAccount}: AWS never lets a principal pass a role of another account`,
        ]
      : [];
  const service = passedToService(input, role.value.roleParameter);
  const chinaNotes =
    partition === 'aws-cn' ? ['in China regions iam:PassedToService may end in .amazonaws.com.cn'] : [];
  const cause = messageCause(parsed, decoded);
  const authorization = authorizationRegion(parsed.authorization, region, partition);
  const context = buildRequestContext({
    record,
    identity,
    region,
    principalArn: principal.contextPrincipalArn,
  });
  const principalArn =
    principal.principalArn ??
    stringField(identity, 'invokedBy') ??
    stringField(identity, 'principalId') ??
    '';
  const callerNotes = principal.principalArn === null ? ['the record names no caller ARN'] : [];

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
    roleArn,
    instanceProfile: role.value.instanceProfile ?? null,
    authorizationId: parsed.authorization.id,
    authorizationRegion: authorization.region,
    passedToService: service.value,
    messageCause: cause.value,
    context: context.context,
    // In the order the reading met them: the message, the role, the service, the cause, the caller.
    notes: [
      ...input.notes,
      ...messageNotes(parsed, decoded !== null),
      ...authorizationTailNotes(parsed.authorization),
      ...authorization.notes,
      ...role.notes,
      ...crossAccountNotes,
      ...service.notes,
      ...chinaNotes,
      ...cause.notes,
      ...principal.notes,
      ...context.notes,
      ...callerNotes,
    ],
  };
  const oversized = oversizedDenialProblem(denial);
  if (oversized !== null) return invalid(where, oversized);
  return { kind: 'denial', denial, where };
}
