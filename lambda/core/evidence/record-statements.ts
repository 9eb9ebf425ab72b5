/**
 * The statements AWS's record says matched, found in the product's own reads of the account: the
 * record names a policy by URI (a managed policy's ARN, an opaque ID for an inline one) and a
 * statement by Sid only. A managed policy is found by its ARN; an inline one through the entity it
 * is attached to and the Sid.
 */
import { principalPolicies, type PrincipalPolicy } from '../iam/principal-policies';
import { parseArn, parseIamArn } from '../iam/arn';
import type { DenyingPolicyType, PrincipalDetails } from '../model';
import { locatedStatements, type LocatedStatement } from '../policy/statements';
import type { AwsAuthorizationRecord, AwsEvaluatedPolicy, AwsEvaluation } from './aws-evaluation';

/** Where the product's reads hold a statement AWS matched, or why they do not. */
export type StatementLocation =
  | { kind: 'located'; located: LocatedStatement }
  /** A policy type the product does not read (SCP, RCP, session, resource, VPC endpoint, unknown). */
  | { kind: 'not-visible' }
  /** No policy of the principal is this one (detached or deleted since, or never read). */
  | { kind: 'policy-not-read' }
  /** The policy is read, but no statement of it has this Sid (edited since; or AWS generated the Sid). */
  | { kind: 'statement-not-found'; policyName: string; attachedTo: string }
  /** Several inline policies hold a statement with this Sid: which one AWS meant cannot be told. */
  | { kind: 'ambiguous'; candidates: string[] };

/** One statement (or, with sid null, a policy) AWS matched, with what the record says of its policy. */
export interface AwsStatementEvidence {
  uri: string;
  /** The policy's type; null when the record does not list the policy or names a type unknown here. */
  policyType: DenyingPolicyType | null;
  awsType: string | null;
  inline: boolean | null;
  attachedTo: string[];
  sid: string | null;
  effect: 'allow' | 'deny' | null;
  location: StatementLocation;
}

const READ_TYPES: ReadonlySet<DenyingPolicyType> = new Set(['identity', 'boundary']);

function isManagedPolicyArn(uri: string): boolean {
  const parsed = parseArn(uri);
  return parsed !== null && parsed.service === 'iam' && parsed.resource.startsWith('policy/');
}

/** The policies of the principal this record's policy can be: by ARN, or inline on an attachedTo entity. */
function candidates(
  policies: readonly PrincipalPolicy[],
  uri: string,
  info: AwsEvaluatedPolicy | undefined,
): PrincipalPolicy[] {
  const layer = info?.type === 'boundary' ? 'boundary' : info?.type === 'identity' ? 'identity' : null;
  const ofLayer = policies.filter((policy) => layer === null || policy.layer === layer);
  const managed = info?.inline === false || (info?.inline !== true && isManagedPolicyArn(uri));
  if (managed) return ofLayer.filter((policy) => policy.arn === uri);
  const inlines = ofLayer.filter((policy) => policy.inline);
  const holders = (info?.attachedTo ?? []).map(parseIamArn).filter((arn) => arn !== null);
  if (holders.length === 0) return inlines;
  return inlines.filter((policy) =>
    holders.some(
      (holder) =>
        (holder.kind === policy.holder.kind ||
          (holder.kind === 'assumed-role' && policy.holder.kind === 'role')) &&
        holder.name.toLowerCase() === policy.holder.name.toLowerCase(),
    ),
  );
}

function locate(
  policies: readonly PrincipalPolicy[],
  uri: string,
  info: AwsEvaluatedPolicy | undefined,
  sid: string | null,
): StatementLocation {
  if (info !== undefined && (info.type === null || !READ_TYPES.has(info.type)))
    return { kind: 'not-visible' };
  const held = candidates(policies, uri, info);
  const first = held[0];
  if (first === undefined) return { kind: 'policy-not-read' };
  const found = held.flatMap((policy) =>
    locatedStatements(policy).filter(({ statement }) => sid !== null && statement.Sid === sid),
  );
  // A managed policy attached twice (user and group) is one document: one statement, whichever holder.
  const distinct = found.filter(
    (located, index) =>
      located.policyArn === null ||
      found.findIndex((other) => other.policyArn === located.policyArn) === index,
  );
  const only = distinct[0];
  if (only !== undefined && distinct.length === 1) return { kind: 'located', located: only };
  if (distinct.length > 1) {
    return { kind: 'ambiguous', candidates: distinct.map((l) => `${l.policyName} (on ${l.attachedTo})`) };
  }
  return { kind: 'statement-not-found', policyName: first.name, attachedTo: first.attachedTo };
}

/** Each statement AWS matched in the evaluation, found in the principal's policies where possible. */
export function matchedStatementEvidence(
  record: AwsAuthorizationRecord,
  evaluation: AwsEvaluation,
  principal: PrincipalDetails,
): AwsStatementEvidence[] {
  const policies = principalPolicies(principal);
  return evaluation.matchedPolicies.flatMap((matched) => {
    const info = record.policies.find((policy) => policy.uri === matched.uri);
    const about = {
      uri: matched.uri,
      policyType: info?.type ?? null,
      awsType: info?.awsType ?? null,
      inline: info?.inline ?? null,
      attachedTo: info?.attachedTo ?? [],
    };
    const statements = matched.statements.length > 0 ? matched.statements : [{ sid: null, effect: null }];
    return statements.map((statement): AwsStatementEvidence => ({
      ...about,
      sid: statement.sid,
      effect: statement.effect,
      location: locate(policies, matched.uri, info, statement.sid),
    }));
  });
}
