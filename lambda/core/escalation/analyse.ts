/**
 * The escalation analysis: what R can do that the least-privileged person who gains the grant cannot.
 * Pure and synchronous over EscalationInputs.
 *
 * R's effective permissions (identity policies within its boundary and the SCPs, plus those of the roles
 * R can become) are expanded over the whole action space (action-space.ts) into grants of (action,
 * resource pattern); each gainer's policies are compiled likewise, and a grant the gainer cannot be shown
 * to hold already (coverage.ts) is a gain. The gainer with the most serious gains is the one compared.
 */
import type { PrincipalDetails, RoleDetails } from '../model';
import { toArray } from '../policy/patterns';
import { statementsOf } from '../policy/statements';
import { actionIndex, baseActionSpace, withExtraActions } from './action-space';
import { isEffectivelyAdmin } from './admin';
import { createClassifier } from './classify';
import { GainerCoverage } from './coverage';
import { escalationFingerprint } from './fingerprint';
import { summarizeGains, type GainSummary } from './gains';
import { effectiveGrants, type Grant } from './grants';
import {
  levelRank,
  unknownEscalation,
  type EscalationFingerprint,
  type EscalationAnalysis,
  type EscalationInputs,
  type EscalationOptions,
} from './model';
import { compilePrincipal, factsOf, type CompileContext, type CompiledPrincipal } from './permissions';
import { specContains } from './resources';
import { trustAdmits } from './trust';

export { escalationFingerprint } from './fingerprint';

export function analyseEscalation(inputs: EscalationInputs, options: EscalationOptions): EscalationAnalysis {
  const role = inputs.role;
  if (role === null) {
    const which = inputs.roleArn ? `the role ${inputs.roleArn}` : 'the role';
    return unknown(`${which} does not exist`, null, inputs.notes);
  }
  const fingerprint = escalationFingerprint(role, inputs.gainers);
  try {
    return analyseRole(role, inputs, options, fingerprint);
  } catch (error) {
    // A policy the analysis cannot handle must not become an approvable proposal.
    const message = error instanceof Error ? error.message : String(error);
    return unknown(`the escalation analysis failed: ${message}`, fingerprint, inputs.notes);
  }
}

function unknown(
  reason: string,
  fingerprint: EscalationAnalysis['fingerprint'],
  notes: readonly string[],
): EscalationAnalysis {
  return unknownEscalation(reason, fingerprint, notes.map(noteExposure));
}

const noteExposure = (note: string): string => `not known: ${note}`;

/** Action names R's policies spell out that the authorization data lacks: analysed as well. */
function unlistedActions(roles: RoleDetails[]): string[] {
  const names: string[] = [];
  for (const role of roles) {
    for (const policy of [...role.inlinePolicies, ...role.attachedPolicies]) {
      for (const statement of statementsOf(policy.document)) {
        if (statement.Effect === 'Allow')
          names.push(...toArray(statement.Action).filter((a) => a.includes(':')));
      }
    }
  }
  const base = baseActionSpace();
  return names.filter((name) => {
    const service = name.slice(0, name.indexOf(':')).toLowerCase();
    return !base.ranges.has(service) || !/[*?]/.test(name);
  });
}

function analyseRole(
  role: RoleDetails,
  inputs: EscalationInputs,
  options: EscalationOptions,
  fingerprint: EscalationFingerprint,
): EscalationAnalysis {
  const roleFacts = factsOf(role, inputs.accountId);
  const trusted = inputs.trustingRoles.filter((other) => other.arn !== role.arn);
  const admitted = trusted.map((other) => ({ other, match: trustAdmits(other, roleFacts) }));
  const space = withExtraActions(
    baseActionSpace(),
    unlistedActions([role, ...admitted.filter(({ match }) => match !== null).map(({ other }) => other)]),
  );
  const over: CompileContext = { space, side: 'over', scps: inputs.scps };
  const under: CompileContext = { ...over, side: 'under' };

  const compiledRole = compilePrincipal(over, role, inputs.accountId);
  const roleGrants = effectiveGrants(space, compiledRole, null);
  const assumeRole = actionIndex(space, 'sts:AssumeRole');

  // The roles R can become, one level deep: their power is R's.
  const sources: { principal: CompiledPrincipal; grants: Grant[]; admin: boolean }[] = [
    { principal: compiledRole, grants: roleGrants, admin: isEffectivelyAdmin(space, roleGrants) },
  ];
  const exposure: string[] = [];
  // An SCP Deny whose condition on the principal (aws:PrincipalArn...) leaves R out: R may do what the
  // organization denies others.
  for (const statement of compiledRole.scps.flat()) {
    if (statement.effect === 'Deny' && statement.condition.principal === 'fails') {
      exposure.push(`${role.arn} is exempt from SCP ${statement.policy}, statement ${statement.statement}`);
    }
  }
  for (const { other, match } of admitted) {
    if (match === null) continue;
    const allowed =
      match === 'named' ||
      roleGrants.some(
        (grant) =>
          grant.action === assumeRole &&
          specContains(
            { not: false, patterns: grant.item.kind === 'pattern' ? [grant.item.pattern] : ['*'] },
            {
              kind: 'pattern',
              pattern: other.arn,
            },
          ),
      );
    if (!allowed) continue;
    const principal = compilePrincipal(over, other, inputs.accountId);
    const grants = effectiveGrants(space, principal, other.arn);
    const admin = isEffectivelyAdmin(space, grants);
    sources.push({ principal, grants, admin });
    exposure.push(
      `${role.arn} can assume ${other.arn}${admin ? ', which is effectively an administrator' : ''}`,
    );
  }
  const roleIsAdmin = sources.some((source) => source.admin);
  const passRole = actionIndex(space, 'iam:PassRole');
  const rolePassesRoles = sources.some((source) => source.grants.some((grant) => grant.action === passRole));
  const classifier = createClassifier(space, rolePassesRoles, options.ownResourceArns);

  const roleItem = { kind: 'pattern' as const, pattern: role.arn };
  const summaryFor = (gainer: PrincipalDetails | null): GainSummary => {
    if (gainer === null) {
      return summarizeGains(
        space,
        classifier,
        sources.flatMap((source) => source.grants),
        roleIsAdmin,
      );
    }
    const compiled = compilePrincipal(under, gainer, inputs.accountId);
    // A Deny on the gainer's own session attributes (no MFA, a principal tag) that also denies passing
    // R blocks the grant whenever it blocks anything else: it cannot make R's access new.
    const neutral = (st: CompiledPrincipal['identity'][number]): boolean =>
      !st.condition.request &&
      st.condition.principal === 'unknown' &&
      passRole >= 0 &&
      st.actions.has(passRole) &&
      specContains(st.resources, roleItem);
    const gained = sources.flatMap((source) => {
      const coverage = new GainerCoverage(compiled, source.principal, neutral);
      return source.grants.filter((grant) => !coverage.covers(grant));
    });
    return summarizeGains(space, classifier, gained, roleIsAdmin);
  };

  let compared: { arn: string | null; summary: GainSummary } | null = null;
  const gainers = [...inputs.gainers].sort((left, right) =>
    left.arn < right.arn ? -1 : left.arn > right.arn ? 1 : 0,
  );
  if (gainers.length === 0) compared = { arn: null, summary: summaryFor(null) };
  for (const gainer of gainers) {
    const summary = summaryFor(gainer);
    if (compared === null || moreGained(summary, compared.summary)) compared = { arn: gainer.arn, summary };
  }
  const summary = compared?.summary ?? { level: 'none', actionCount: 0, gains: [] };
  if (inputs.notes.length > 0) exposure.push(...inputs.notes.map(noteExposure));
  const level = summary.level === 'none' && inputs.notes.length > 0 ? 'contained' : summary.level;
  return {
    kind: 'analysed',
    level,
    comparedWith: compared?.arn ?? null,
    gains: summary.gains,
    exposure,
    fingerprint,
  };
}

function moreGained(candidate: GainSummary, current: GainSummary): boolean {
  const byLevel = levelRank(candidate.level) - levelRank(current.level);
  return byLevel !== 0 ? byLevel > 0 : candidate.actionCount > current.actionCount;
}
