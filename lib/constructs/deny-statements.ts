/**
 * The building blocks of this stack's resource policies. Within one account an Allow in either the
 * identity policy or the resource policy is enough, so a resource policy only restricts when it
 * denies: each one here is an explicit Deny to every principal (`*`), with the exceptions named by
 * `aws:PrincipalArn`. A Deny on `aws:PrincipalArn` also hits AWS service principals (their requests
 * carry no such key, and a negated operator on a missing key is true), so statements that a service
 * must get past say so with a second condition on a key only that service's requests carry.
 */
import { Aws, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { InvalidInputError } from '../../lambda/core/errors';
import { iamArn } from '../../lambda/core/iam/arn';

/** Who may change a resource's policy (or the resource itself, for keys). */
export interface PolicyAdministrators {
  /** The role CloudFormation deploys with: it writes, updates and deletes the policies. */
  readonly deployRoleArn: string;
  /** The account's root user: the break-glass when the deploy role is gone (no role can replace it). */
  readonly rootArn: string;
}

/**
 * The CDK bootstrap's CloudFormation execution role of the stack's synthesizer, with its placeholders
 * turned into this stack's partition, account and region; the given ARN when set.
 */
export function resolveDeployRoleArn(scope: IConstruct, configured?: string | null): string {
  if (configured !== undefined && configured !== null) return configured;
  const synthesizer = Stack.of(scope).synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    // Legacy and CLI-credential synthesizers deploy with the caller's credentials: no role to name.
    throw new InvalidInputError(
      'deployRoleArn: the stack does not use the default synthesizer; set -c deployRoleArn=<the role CloudFormation deploys with>',
      'cdk context deployRoleArn',
    );
  }
  return withPseudoParameters(synthesizer.cloudFormationExecutionRoleArn, Stack.of(scope));
}

/** `${AWS::Partition}`-style placeholders (the synthesizer's) as the stack's own tokens or values. */
function withPseudoParameters(arn: string, stack: Stack): string {
  return arn
    .replace(/\$\{AWS::Partition\}/g, Aws.PARTITION)
    .replace(/\$\{AWS::AccountId\}/g, stack.account)
    .replace(/\$\{AWS::Region\}/g, stack.region);
}

export function policyAdministrators(scope: IConstruct, configured?: string | null): PolicyAdministrators {
  return {
    deployRoleArn: resolveDeployRoleArn(scope, configured),
    rootArn: iamArn(Aws.PARTITION, Aws.ACCOUNT_ID, 'root'),
  };
}

export interface DenyOptions {
  readonly sid: string;
  readonly actions: readonly string[];
  /** @default ['*'] (a resource policy's own resource; a key policy's key) */
  readonly resources?: readonly string[];
  /** Principals the Deny leaves alone, by ARN. */
  readonly except: readonly string[];
  /** Further conditions, all of which must hold too for the Deny to apply. */
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/** Deny `actions` to everyone but `except` (and whatever `conditions` leave out). */
export function denyExcept(options: DenyOptions): iam.PolicyStatement {
  const conditions: Record<string, Record<string, unknown>> = { ...options.conditions };
  conditions.ArnNotEquals = { ...conditions.ArnNotEquals, 'aws:PrincipalArn': [...options.except] };
  return new iam.PolicyStatement({
    sid: options.sid,
    effect: iam.Effect.DENY,
    principals: [new iam.StarPrincipal()],
    actions: [...options.actions],
    resources: [...(options.resources ?? ['*'])],
    conditions,
  });
}

/** Deny the actions that change the resource or its policy to all but the deploy role and root. */
export function denyChangesToItself(
  sid: string,
  actions: readonly string[],
  administrators: PolicyAdministrators,
  resources?: readonly string[],
): iam.PolicyStatement {
  return denyExcept({
    sid,
    actions,
    resources,
    except: [administrators.deployRoleArn, administrators.rootArn],
  });
}
