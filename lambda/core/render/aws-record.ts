/**
 * The words of the findings about AWS's own evaluation record of the request (IAM Toolbox): what it
 * matched, quoted from the product's own reads; the context it replaced; where it and the
 * simulation disagree; why it was not read or not used.
 */
import type { AwsEvaluatedEffect, AwsRecordUnavailableReason } from '../evidence/aws-evaluation';
import type { AwsRecordMismatch } from '../evidence/record-belongs';
import type { AwsDisagreement } from '../evidence/record-disagreement';
import type { AwsStatementEvidence } from '../evidence/record-statements';
import { describeMatched } from '../iam/blockers';
import { roleNameOf } from '../iam/arn';
import type { Decision, DenyingPolicyType, DiagnosisFinding, Finding } from '../model';
import { describeLocation } from '../policy/statements';

type AwsFinding = Extract<
  DiagnosisFinding,
  { kind: 'aws-record-unavailable' | 'aws-record-mismatch' | 'aws-record' | 'aws-context' | 'aws-evaluation' }
>;

const UNAVAILABLE_WORDS: Record<AwsRecordUnavailableReason, string> = {
  'not-found':
    'IAM Toolbox has no record under this ID here (records are kept for at least 24 hours, in the region of the request, for callers of its account or organization)',
  'access-denied': 'the reader is not allowed iam:GetRequestAuthorizationDetails',
  throttled: 'IAM Toolbox throttled the reads, retries included',
  'server-error': 'IAM Toolbox failed with a server error, retries included',
  'invalid-request': 'IAM Toolbox refused the request as invalid',
  'invalid-response': "IAM Toolbox's answer does not follow its service model",
  network: 'the call to IAM Toolbox did not complete',
  'not-consulted': 'this diagnosis does not read AWS records',
};

const LAYER_WORDS: Record<DenyingPolicyType, string> = {
  identity: 'identity policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
  boundary: 'permissions boundary',
  session: 'session policy',
  resource: 'resource-based policy',
  'vpc-endpoint': 'VPC endpoint policy',
};

const EFFECT_WORDS: Record<AwsEvaluatedEffect, string> = {
  allow: 'allowed',
  'explicit-deny': 'denied',
  'implicit-deny': 'denied',
};

const EFFECT_HOW: Record<AwsEvaluatedEffect, string> = {
  allow: '',
  'explicit-deny': ' explicitly',
  'implicit-deny': ' implicitly (no policy allowed it)',
};

const AWS_DID: Record<AwsEvaluatedEffect, string> = {
  allow: 'allowed it',
  'explicit-deny': 'denied it explicitly',
  'implicit-deny': 'denied it implicitly (no policy allowed it)',
};

const DECISION_WORDS: Record<Decision, string> = {
  allowed: 'allows it',
  explicitDeny: 'denies it explicitly',
  implicitDeny: 'denies it implicitly (no policy allows it)',
};

function shown(
  kind: Finding['kind'],
  message: string,
  policy: string | null = null,
  statement: string | null = null,
): Finding {
  return { kind, message, policy, statement };
}

function layerOf(evidence: AwsStatementEvidence): string {
  if (evidence.policyType !== null) return LAYER_WORDS[evidence.policyType];
  return evidence.awsType !== null ? `policy of type ${evidence.awsType}` : 'policy';
}

/** 'statement DenyPass of service control policy <uri>': the statement as AWS names it. */
function awsStatementWords(evidence: AwsStatementEvidence): string {
  const { location } = evidence;
  // Found in the account data: named as the product names it (an inline policy's URI is opaque).
  const attached = evidence.attachedTo.length > 0 ? ` attached to ${evidence.attachedTo.join(', ')}` : '';
  const policy =
    location.kind === 'located'
      ? `${layerOf(evidence)} ${describeLocation(location.located)}`
      : evidence.inline === true
        ? `the inline ${layerOf(evidence)} AWS identifies as ${evidence.uri}${attached}`
        : `${layerOf(evidence)} ${evidence.uri}${attached}`;
  return evidence.sid === null ? policy : `statement ${evidence.sid} of ${policy}`;
}

/** Where the product's reads hold the statement: quoted as read now, or why it is not. */
function locationWords(evidence: AwsStatementEvidence): string {
  const { location } = evidence;
  switch (location.kind) {
    case 'located':
      return `, which reads now: ${JSON.stringify(location.located.statement)}`;
    case 'not-visible':
      return '; that policy is not visible to this diagnosis';
    case 'policy-not-read':
      return "; no policy of the principal read here is that one (detached or deleted since, or the record's inline policy is on an entity not read)";
    case 'statement-not-found':
      return evidence.sid === null
        ? `; the record names no statement of ${location.policyName} (on ${location.attachedTo})`
        : `; ${location.policyName} (on ${location.attachedTo}) has no statement with that Sid now (edited since, or AWS generated the Sid for a statement without one)`;
    case 'ambiguous':
      return `; several policies read here have a statement with that Sid (${location.candidates.join('; ')}): which one AWS meant cannot be told`;
    default: {
      const unknown: never = location;
      throw new TypeError(`unknown location ${JSON.stringify(unknown)}`);
    }
  }
}

function evidencePolicy(evidence: AwsStatementEvidence): string {
  if (evidence.location.kind === 'located') {
    return evidence.location.located.policyArn ?? evidence.location.located.policyName;
  }
  return evidence.uri;
}

function recordFinding(finding: Extract<AwsFinding, { kind: 'aws-record' }>): Finding {
  const { statement, effect } = finding;
  const role = roleNameOf(finding.roleArn);
  const head = `AWS's record of this request (authorization ID ${finding.authorizationId})`;
  const what =
    effect === null
      ? `AWS evaluated iam:PassRole on ${role} (the record gives no effect)`
      : `AWS ${EFFECT_WORDS[effect]} iam:PassRole on ${role}${EFFECT_HOW[effect]}`;
  if (statement === null) return shown('aws-record', `${head}: ${what}; it matched no statement.`);
  const which =
    statement.effect === 'deny'
      ? 'the deny is'
      : statement.effect === 'allow'
        ? 'an Allow it matched is'
        : 'a statement it matched is';
  return shown(
    'aws-record',
    `${head}: ${what}; ${which} ${awsStatementWords(statement)}${locationWords(statement)}.`,
    evidencePolicy(statement),
    statement.sid,
  );
}

function contextFinding(finding: Extract<AwsFinding, { kind: 'aws-context' }>): Finding {
  const changes = finding.differences.map(({ key, aws, reconstructed }) =>
    reconstructed === null
      ? `${key} ${aws} (not in the CloudTrail record)`
      : `${key} ${aws} (the CloudTrail record gave ${reconstructed})`,
  );
  const sentences: string[] = [];
  if (changes.length > 0) {
    sentences.push(
      `The request context AWS recorded replaces the one reconstructed from the CloudTrail record where they differ, and the simulations run under it: ${changes.join(', ')}.`,
    );
  }
  if (finding.ignored.length > 0) {
    sentences.push(
      `AWS's record gives values of ${finding.ignored.join(', ')} that are not of the key's type: those are not taken over.`,
    );
  }
  return shown('aws-record', sentences.join(' '));
}

function awsDenyList(denies: readonly AwsStatementEvidence[]): string {
  return denies.map(awsStatementWords).join('; ');
}

function disagreementWords(disagreement: AwsDisagreement): string {
  if (disagreement.kind === 'statements') {
    const aws = disagreement.awsOnly.length > 0 ? awsDenyList(disagreement.awsOnly) : 'no other statement';
    const simulated =
      disagreement.simulatedOnly.length > 0
        ? disagreement.simulatedOnly.map(describeMatched).join('; ')
        : 'no other statement';
    return `Both deny iam:PassRole explicitly, by different statements: AWS's record by ${aws}; the simulation by ${simulated}.`;
  }
  const { aws, simulated, awsDenies, simulatedDenies } = disagreement;
  const awsSide = `AWS ${AWS_DID[aws]}${
    awsDenies.length > 0 ? ` (${awsDenyList(awsDenies)})` : ''
  } when the request was made`;
  const simSide = `the simulation of the account as read now ${DECISION_WORDS[simulated]}${
    simulatedDenies.length > 0 ? ` (${simulatedDenies.map(describeMatched).join('; ')})` : ''
  }`;
  const unseen = awsDenies.some((deny) => deny.location.kind === 'not-visible');
  let why = ': a policy changed since the event';
  if (aws === 'explicit-deny' && unseen && simulated !== 'explicitDeny') {
    why = ': the denying policy is not visible to the simulation';
  } else if (simulated === 'allowed') {
    why = ': the permissions changed since the event';
  } else if (simulated === 'explicitDeny') {
    why = ": a deny was added since the event, or its conditions read the context otherwise than AWS's";
  } else if (aws === 'explicit-deny') {
    why =
      ": the deny was removed or changed since the event, or its conditions read the context otherwise than AWS's";
  }
  return `${awsSide}; ${simSide}${why}.`;
}

export function renderAwsFinding(finding: AwsFinding): Finding {
  switch (finding.kind) {
    case 'aws-record-unavailable':
      return shown(
        'aws-record-unavailable',
        `The message carries AWS's authorization ID ${finding.authorizationId}, but AWS's record of the request was not read: ${UNAVAILABLE_WORDS[finding.reason]}${
          finding.detail !== '' ? ` (${finding.detail})` : ''
        }. The diagnosis rests on the simulation alone.`,
      );
    case 'aws-record-mismatch':
      return shown(
        'aws-record-mismatch',
        `AWS's record under authorization ID ${finding.authorizationId} is not of this request, so it is not used as evidence: ${finding.mismatches.map(mismatchWords).join('; ')}.`,
      );
    case 'aws-record':
      return recordFinding(finding);
    case 'aws-context':
      return contextFinding(finding);
    case 'aws-evaluation':
      return shown('aws-evaluation', disagreementWords(finding.disagreement));
    default: {
      const unknown: never = finding;
      throw new TypeError(`unknown finding ${JSON.stringify(unknown)}`);
    }
  }
}

function mismatchWords(mismatch: AwsRecordMismatch): string {
  switch (mismatch.field) {
    case 'principal':
      return mismatch.recorded === null
        ? `it does not name its principal (aws:PrincipalArn), the denial's is ${mismatch.expected}`
        : `its principal is ${mismatch.recorded}, the denial's ${mismatch.expected}`;
    case 'action':
      return `it evaluates ${mismatch.recorded.join(', ') || 'no action'}, not ${mismatch.expected}`;
    case 'resource':
      return `it evaluates iam:PassRole on ${mismatch.recorded.join(', ') || 'no resource'}, not on ${mismatch.expected}`;
    case 'effect':
      return 'it shows iam:PassRole on the role allowed, not denied';
    default: {
      const unknown: never = mismatch;
      throw new TypeError(`unknown mismatch ${JSON.stringify(unknown)}`);
    }
  }
}

/** A proposal's blocker (stored words): AWS's explicit deny in a policy the simulation cannot see. */
export function awsDenyBlocker(evidence: AwsStatementEvidence): string {
  return `explicit deny in ${awsStatementWords(evidence)} (AWS's record; not visible to the simulation)`;
}
