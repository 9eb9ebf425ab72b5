/**
 * The member template as the StackSet carries it: the member stack in a Stage of its own, so it is
 * synthesized (and checked by the app's validation plugins, cdk-nag included) as a template of its
 * own, environment-agnostic, and its JSON becomes the StackSet's TemplateBody. The Stage's assembly
 * is written under cdk.out (assembly-PassRoleDoctorMemberTemplate/) where `npm run cfn-lint` and a
 * reviewer can read it; `cdk deploy` of the hub never deploys it.
 */
import { Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MemberStack, type MemberTemplateProps } from './member-stack';

export const MEMBER_TEMPLATE_STAGE_ID = 'PassRoleDoctorMemberTemplate';
export const MEMBER_TEMPLATE_STACK_ID = 'PassRoleDoctorMember';

export class MemberTemplate extends Stage {
  readonly stack: MemberStack;

  constructor(scope: Construct, id: string, props: MemberTemplateProps) {
    super(scope, id);
    this.stack = new MemberStack(this, MEMBER_TEMPLATE_STACK_ID, {
      member: props,
      description:
        "PassRole Doctor member: forwards iam:PassRole denials to the hub; the hub's read and apply roles",
    });
  }

  /** The synthesized template as compact JSON (a StackSet counts the bytes of what it is given). */
  body(): string {
    return JSON.stringify(this.synth().getStackArtifact(this.stack.artifactId).template);
  }
}
