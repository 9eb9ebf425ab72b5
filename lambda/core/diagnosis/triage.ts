/**
 * Triage: the outcomes the denial alone decides, before any account data is read or simulation run
 * (no ports). A denial it lets through names the role and the IAM entity to simulate.
 */
import { accountOf, nameOf } from '../iam/arn';
import type { Denial, Diagnosis } from '../model';

export type Triage =
  | { kind: 'decided'; diagnosis: Diagnosis }
  | { kind: 'simulate'; denial: Denial; roleArn: string; policySourceArn: string };

export function triage(denial: Denial): Triage {
  const { roleArn, policySourceArn } = denial;
  if (roleArn === null) {
    return {
      kind: 'decided',
      diagnosis: { outcome: 'not-applicable', denial, why: { code: 'role-not-named' } },
    };
  }
  if (denial.principalType === 'root') {
    const diagnosis: Diagnosis = {
      outcome: 'unsimulated',
      denial,
      why: { kind: 'root' },
      findings: [{ kind: 'root' }],
    };
    return { kind: 'decided', diagnosis };
  }
  if (policySourceArn === null || denial.principalType === 'unknown') {
    const why = { code: 'principal-unknown', principalArn: denial.principalArn } as const;
    return { kind: 'decided', diagnosis: { outcome: 'not-applicable', denial, why } };
  }
  const roleAccount = accountOf(roleArn);
  if (roleAccount !== null && roleAccount !== denial.account) {
    // AWS never allows it: the denial is implicit unless its message says otherwise.
    const told = {
      ...denial,
      messageCause: { ...denial.messageCause, explicit: denial.messageCause.explicit ?? false },
    };
    const diagnosis: Diagnosis = {
      outcome: 'unsimulated',
      denial: told,
      why: { kind: 'cross-account', roleAccount },
      findings: [{ kind: 'cross-account', roleArn, roleAccount, account: denial.account }],
    };
    return { kind: 'decided', diagnosis };
  }
  if (denial.principalType === 'service-linked-role') {
    const diagnosis: Diagnosis = {
      outcome: 'unsimulated',
      denial,
      why: { kind: 'service-linked-role' },
      findings: [{ kind: 'service-linked-role', role: nameOf(policySourceArn) }],
    };
    return { kind: 'decided', diagnosis };
  }
  return { kind: 'simulate', denial, roleArn, policySourceArn };
}
