/**
 * Triage: the outcomes the denial alone decides, before any account data is read or simulation run
 * (no ports). A denial it lets through names the role and the IAM entity to simulate.
 */
import { accountOf, nameOf } from '../iam/arn';
import type { Denial, Diagnosis } from '../model';

export type Triage =
  | { kind: 'decided'; diagnosis: Diagnosis }
  | { kind: 'simulate'; denial: Denial; roleArn: string; policySourceArn: string };

function decided(diagnosis: Diagnosis): Triage {
  return { kind: 'decided', diagnosis };
}

/** A role of another account: AWS never allows it, whatever the policies say. */
function crossAccount(
  denial: Denial,
  roleArn: string | null,
  roleAccount: string | null,
  account: string,
): Triage {
  return decided({
    outcome: 'unsimulated',
    denial,
    why: { kind: 'cross-account', roleAccount },
    findings: [{ kind: 'cross-account', roleArn, roleAccount, account }],
  });
}

/**
 * The message says so: the role is of another account even where the record names none, or names it
 * by a name read as the caller's own. The caller's account is the one the role should be in.
 */
function crossAccountByMessage(denial: Denial): Triage {
  const { roleArn } = denial;
  const account = accountOf(denial.policySourceArn ?? denial.principalArn) ?? denial.account;
  const named = roleArn === null ? null : accountOf(roleArn);
  const roleAccount = named !== null && named !== account ? named : null;
  return crossAccount(denial, roleArn, roleAccount, account);
}

export function triage(denial: Denial): Triage {
  const { roleArn, policySourceArn } = denial;
  if (denial.messageCause.crossAccount === true) return crossAccountByMessage(denial);
  if (roleArn === null) {
    return decided({ outcome: 'not-applicable', denial, why: { code: 'role-not-named' } });
  }
  // Before anything about the caller: whoever calls, AWS never passes a role of another account.
  const roleAccount = accountOf(roleArn);
  if (roleAccount !== null && roleAccount !== denial.account) {
    return crossAccount(denial, roleArn, roleAccount, denial.account);
  }
  if (denial.principalType === 'root') {
    return decided({ outcome: 'unsimulated', denial, why: { kind: 'root' }, findings: [{ kind: 'root' }] });
  }
  if (denial.messageCause.policyType === 'session') {
    // Set when the session was created: the entity's policies, read or changed here, cannot lift it.
    const { explicit, policyArn } = denial.messageCause;
    return decided({
      outcome: 'unsimulated',
      denial,
      why: { kind: 'session-policy' },
      findings: [
        {
          kind: 'session-policy',
          explicit,
          policyArn,
          principalType: denial.principalType,
          entity: policySourceArn === null ? null : nameOf(policySourceArn),
        },
      ],
    });
  }
  if (policySourceArn === null || denial.principalType === 'unknown') {
    const why = { code: 'principal-unknown', principalArn: denial.principalArn } as const;
    return decided({ outcome: 'not-applicable', denial, why });
  }
  if (denial.principalType === 'service-linked-role') {
    return decided({
      outcome: 'unsimulated',
      denial,
      why: { kind: 'service-linked-role' },
      findings: [{ kind: 'service-linked-role', role: nameOf(policySourceArn) }],
    });
  }
  return { kind: 'simulate', denial, roleArn, policySourceArn };
}
