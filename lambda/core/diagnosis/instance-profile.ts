/**
 * A denial that names no role, only the instance profile the request passed (EC2): the role is the
 * one the profile holds, looked up through the InstanceProfileResolver port. A profile that is gone
 * or holds no role decides the diagnosis: the role that was passed cannot be told.
 */
import type { InstanceProfileResolver } from '../../ports/instance-profile-resolver';
import type { Denial, Diagnosis, DiagnosisFinding } from '../model';

export type ProfileResolution =
  /** Nothing to look up: the denial names its role, or passes no instance profile. */
  | { kind: 'as-read'; denial: Denial }
  /** The role the profile holds, set as the denial's role, and the finding that says so. */
  | { kind: 'resolved'; denial: Denial; finding: DiagnosisFinding }
  | { kind: 'decided'; diagnosis: Diagnosis };

export async function throughInstanceProfile(
  denial: Denial,
  resolver: InstanceProfileResolver,
): Promise<ProfileResolution> {
  const profile = denial.instanceProfile;
  if (denial.roleArn !== null || profile === null) return { kind: 'as-read', denial };
  const role = await resolver.instanceProfileRole(denial.account, profile);
  if (role === null || role === 'not-found') {
    const finding: DiagnosisFinding =
      role === null
        ? { kind: 'instance-profile-empty', profile }
        : { kind: 'instance-profile-not-found', profile, account: denial.account };
    const state = role === null ? 'empty' : 'not-found';
    return {
      kind: 'decided',
      diagnosis: {
        outcome: 'unsimulated',
        denial,
        why: { kind: 'instance-profile-unresolved', profile, state },
        findings: [finding],
      },
    };
  }
  return {
    kind: 'resolved',
    denial: { ...denial, roleArn: role },
    finding: { kind: 'role-from-instance-profile', profile, roleArn: role },
  };
}

/** The diagnosis with the profile's finding first: how the role was found comes before what it shows. */
export function withProfileFinding(diagnosis: Diagnosis, finding: DiagnosisFinding): Diagnosis {
  if (diagnosis.outcome === 'not-applicable' || diagnosis.outcome === 'recorded') return diagnosis;
  return { ...diagnosis, findings: [finding, ...diagnosis.findings] };
}
