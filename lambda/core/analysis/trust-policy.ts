import { principalsOfType } from '../iam/policy-principals';
import type { PolicyDocument } from '../model';
import { coversAction, statementsOf } from '../policy/statements';

export interface TrustAnalysis {
  /** The service principals the trust policy allows to assume the role (sts:AssumeRole). */
  trustedServices: string[];
  /** Does it let this service assume the role? null when the service is unknown. */
  trustsService: boolean | null;
  /** The trust policy explicitly denies this service. */
  deniesService: boolean;
}

export function sameService(trusted: string, service: string): boolean {
  // Trust policies may name China-partition principals (glue.amazonaws.com.cn) for the same service.
  return trusted === '*' || trusted === service || trusted === `${service}.cn`;
}

/** Whether the passed role's trust policy admits the service that receives it. */
export function analyzeTrustPolicy(
  trustPolicy: PolicyDocument | null,
  service: string | null,
): TrustAnalysis {
  const trustedServices: string[] = [];
  let deniesService = false;
  for (const statement of trustPolicy ? statementsOf(trustPolicy) : []) {
    // NotAction counts too: a Deny of everything but sts:TagSession denies sts:AssumeRole.
    if (!coversAction(statement, 'sts:AssumeRole')) continue;
    const services = principalsOfType(statement.Principal, 'Service');
    if (statement.Effect === 'Allow') {
      trustedServices.push(...services.filter((value) => !trustedServices.includes(value)));
    } else if (service !== null && services.some((trusted) => sameService(trusted, service))) {
      deniesService = true;
    }
  }
  const trustsService =
    service === null
      ? null
      : !deniesService && trustedServices.some((trusted) => sameService(trusted, service));
  return { trustedServices, trustsService, deniesService };
}
