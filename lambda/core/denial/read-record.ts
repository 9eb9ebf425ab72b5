/**
 * One CloudTrail record: whether it is an iam:PassRole denial (from its errorCode, errorMessage and,
 * for EC2, the decoded authorization message), and if not, why, as a code and a reason. A denial is
 * built by build-denial.ts.
 */
import { buildDenial } from './build-denial';
import { type DecodedAuthorization, parseDecodedAuthorization } from './decoded-message';
import { parseErrorMessage } from './error-message';
import { operationName } from './iam-action';
import { describeType, isJsonObject, type JsonObject, stringField } from './json';
import { roleParametersFor } from './passrole-apis';
import { quote } from './quote';
import {
  invalid,
  type NotApplicableCode,
  notApplicable,
  type ReadOptions,
  type ReadOutcome,
} from './read-outcome';
import { mentionedEventId, recordShapeProblem } from './record-shape';

/**
 * What CloudTrail's network activity events write when a VPC endpoint policy denied the call; their
 * errorMessage ('The request was denied due to a VPC endpoint policy') names no action.
 */
const VPC_ENDPOINT_DENIED = 'VpceAccessDenied';

const AUTHORIZATION_ERROR_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
  VPC_ENDPOINT_DENIED,
]);

export function isPassRole(action: string): boolean {
  return action.toLowerCase() === 'iam:passrole';
}

/** A reason for a denial that names no action, with a hint when the API is one that passes roles. */
function withRoleHint(reason: string, eventSource: string, eventName: string): string {
  if (roleParametersFor(eventSource, eventName).length === 0) return reason;
  return `${reason} (${operationName(eventName)} passes a role, so it may be an iam:PassRole denial)`;
}

/** Why a record is not an iam:PassRole denial, as a code and a reason. */
interface NotPassRole {
  code: NotApplicableCode;
  reason: string;
}

/** Why EC2's encoded-only message leaves the denied action unknown or another, or null when it is iam:PassRole. */
function encodedMessageProblem(
  complete: boolean,
  decodedText: string | undefined,
  decoded: DecodedAuthorization | null,
): NotPassRole | null {
  if (!complete) {
    return {
      code: 'encoded-message-cut',
      reason:
        "encoded authorization message cut at CloudTrail's 1 KB limit: it cannot be decoded, so the denied action is unknown",
    };
  }
  if (decodedText === undefined) {
    return {
      code: 'encoded-message-not-decoded',
      reason:
        'encoded authorization message not decoded: decode it with sts:DecodeAuthorizationMessage to learn the denied action',
    };
  }
  if (decoded === null) {
    return {
      code: 'decoded-message-unreadable',
      reason: 'the decoded authorization message is not the JSON sts:DecodeAuthorizationMessage returns',
    };
  }
  if (decoded.action === null) {
    return {
      code: 'decoded-message-names-no-action',
      reason: 'the decoded authorization message names no action',
    };
  }
  if (!isPassRole(decoded.action)) {
    return {
      code: 'not-passrole',
      reason: `the denied action is ${quote(decoded.action)} (decoded authorization message), not iam:PassRole`,
    };
  }
  return null;
}

/** Why a plain errorMessage that names no action leaves the record out. */
function unnamedAction(
  truncated: boolean,
  message: string,
  eventSource: string,
  eventName: string,
): NotPassRole {
  if (truncated) {
    return {
      code: 'error-message-cut',
      reason: withRoleHint(
        "errorMessage cut at CloudTrail's 1 KB limit before naming the denied action",
        eventSource,
        eventName,
      ),
    };
  }
  return {
    code: 'action-not-named',
    reason: withRoleHint(
      `errorMessage does not name the denied action: '${quote(message)}'`,
      eventSource,
      eventName,
    ),
  };
}

/** A VpceAccessDenied record that names no action: an authorization failure, not one the reader can place. */
function vpcEndpointDenial(record: JsonObject): NotPassRole {
  const endpoint = stringField(record, 'vpcEndpointId');
  const named = endpoint === null ? 'a VPC endpoint policy' : `the policy of VPC endpoint ${quote(endpoint)}`;
  return {
    code: 'vpc-endpoint-policy',
    reason:
      `denied by ${named} (errorCode ${VPC_ENDPOINT_DENIED}), an authorization failure; the record does not name ` +
      "the denied action, so it cannot be told to be iam:PassRole, and the endpoint's policy, not the caller's IAM policies, decides it",
  };
}

/** One record: invalid, not applicable (with its code), or its denial. */
export function readRecord(value: unknown, where: string, options: ReadOptions): ReadOutcome {
  if (!isJsonObject(value)) {
    return invalid(where, `expected a CloudTrail record (an object), got ${describeType(value)}`);
  }
  if (value['eventType'] === 'AwsCloudTrailInsight') {
    const reason = 'a CloudTrail Insights event, not an API call';
    return notApplicable('insights-event', reason, mentionedEventId(value), where);
  }
  const problem = recordShapeProblem(value);
  if (problem !== null) return invalid(where, `not a CloudTrail record: ${problem}`);
  const record = value;
  // recordShapeProblem has checked these three.
  const eventSource = String(record['eventSource']);
  const eventName = String(record['eventName']);
  const identity = isJsonObject(record['userIdentity']) ? record['userIdentity'] : {};

  const eventId = stringField(record, 'eventID');
  const notPassRole = (code: NotApplicableCode, reason: string): ReadOutcome =>
    notApplicable(code, reason, eventId, where);

  const errorCode = stringField(record, 'errorCode');
  if (errorCode === null)
    return notPassRole('not-an-error', 'the call succeeded: the record has no errorCode');
  const message = stringField(record, 'errorMessage');
  const parsed = message === null ? null : parseErrorMessage(message);
  const usualCode = AUTHORIZATION_ERROR_CODES.has(errorCode);
  const passRoleMessage = parsed !== null && (isPassRole(parsed.action ?? '') || parsed.crossAccountPassRole);
  if (!usualCode && !passRoleMessage) {
    return notPassRole(
      'not-authorization-failure',
      `errorCode ${quote(errorCode)} is not an authorization failure`,
    );
  }
  if (
    errorCode === VPC_ENDPOINT_DENIED &&
    (parsed === null || (parsed.action === null && !passRoleMessage))
  ) {
    const why = vpcEndpointDenial(record);
    return notPassRole(why.code, why.reason);
  }
  const notes = usualCode
    ? []
    : [
        `errorCode ${quote(errorCode)} is not one of AWS's usual authorization failure codes; read as an iam:PassRole denial because errorMessage says so`,
      ];
  if (parsed === null || message === null) {
    return notPassRole(
      'no-error-message',
      withRoleHint(
        `denied (${quote(errorCode)}) but the record has no errorMessage: the denied action is unknown`,
        eventSource,
        eventName,
      ),
    );
  }
  if (parsed.action !== null && !isPassRole(parsed.action)) {
    return notPassRole('not-passrole', `the denied action is ${parsed.action}, not iam:PassRole`);
  }

  const encoded = parsed.encoded;
  const decodedText = encoded?.complete === true ? options.decodedMessages?.get(encoded.blob) : undefined;
  const decoded = decodedText === undefined ? null : parseDecodedAuthorization(decodedText);
  if (parsed.action === null && !parsed.crossAccountPassRole) {
    const why =
      encoded === null
        ? unnamedAction(parsed.truncated, message, eventSource, eventName)
        : encodedMessageProblem(encoded.complete, decodedText, decoded);
    if (why !== null) return notPassRole(why.code, why.reason);
  } else if (
    decodedText !== undefined &&
    (decoded === null || (decoded.action !== null && !isPassRole(decoded.action)))
  ) {
    const ignored = 'the decoded authorization message does not describe this iam:PassRole denial: ignored';
    return buildDenial(
      { record, identity, eventSource, eventName, parsed, decoded: null, notes: [...notes, ignored] },
      where,
    );
  }
  return buildDenial({ record, identity, eventSource, eventName, parsed, decoded, notes }, where);
}
