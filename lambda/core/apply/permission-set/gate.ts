/**
 * What the apply function checks of a permission-set record before it may touch Identity Center. The
 * database is not trusted: the document, the set's identifiers, the reserved role and the account are
 * checked again here, each refusal with a reason. The set itself (its definition, tag, where it is
 * provisioned) is checked against Identity Center by the run (apply-permission-set.ts).
 */
import { parseArn, parseIamArn } from '../../iam/arn';
import type { PermissionSetRef } from '../../identity-center/model';
import type { IncidentRecord } from '../../incident';
import type { PolicyDocument, ProposalTarget } from '../../model';
import { checkApprovedRecord, isProtectedRole, type ApplyGateSettings } from '../apply-gate';

export interface PermissionSetPlan {
  ref: PermissionSetRef;
  /** The definition hash the decision signed: the set as analysed. */
  definitionHash: string;
  target: ProposalTarget & { type: 'permission-set' };
  /** The minimal statement's document, merged into the set's inline policy. */
  document: PolicyDocument;
  /** The set's reserved role in the denial's account: whose policies decide after provisioning. */
  policySourceArn: string;
  roleArn: string;
  service: string;
  /** The denial's account: the one account the set is provisioned to. */
  accountId: string;
}

export type PermissionSetGate = { ok: true; plan: PermissionSetPlan } | { ok: false; reason: string };

/** Identity Center's own roles: path /aws-reserved/sso.amazonaws.com/ (a region may follow). */
const RESERVED_SSO_PATH = /^\/aws-reserved\/sso\.amazonaws\.com\/([a-z0-9-]+\/)?$/;
const RESERVED_SSO_NAME = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;
/** sso-admin's published patterns for the instance id and the set id. */
const INSTANCE_RESOURCE = /^instance\/((?:sso)?ins-[a-zA-Z0-9.-]{16})$/;
/**
 * AWS writes `permissionSet/<instance>/ps-<id>`; moto 5.2.1 writes `instance/<instance>/ps-<id>`. Both
 * name the instance, which is what is checked: the ARNs themselves are signed with the decision.
 */
const PERMISSION_SET_RESOURCE =
  /^(?:permissionSet|instance)\/((?:sso)?ins-[a-zA-Z0-9.-]{16})\/ps-[a-zA-Z0-9./-]{16}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The instance id of an sso instance ARN, or of a permission set ARN; null for anything else. */
function ssoInstanceOf(arn: string, resource: RegExp): string | null {
  const parsed = parseArn(arn);
  if (parsed === null || parsed.service !== 'sso' || parsed.region !== '') return null;
  return resource.exec(parsed.resource)?.[1] ?? null;
}

export function checkPermissionSetApplicable(
  record: IncidentRecord,
  settings: Pick<
    ApplyGateSettings,
    'accountId' | 'protectedRoleArns' | 'protectedRoleNames' | 'excludedAccounts'
  >,
): PermissionSetGate {
  const refuse = (reason: string): PermissionSetGate => ({ ok: false, reason });
  const approved = checkApprovedRecord(record, settings, true);
  if (!approved.ok) return approved;
  const { proposal, accountId, shape } = approved;

  const target = proposal.target;
  if (target.type !== 'permission-set') return refuse(`the target is a ${target.type}, not a permission set`);
  const { instanceArn, permissionSetArn, definitionHash } = target;
  if (instanceArn === undefined || permissionSetArn === undefined || definitionHash === undefined) {
    return refuse(
      `the permission set ${target.name} was not read from Identity Center when proposed: there is no definition to compare, so it is not applied`,
    );
  }
  const instance = ssoInstanceOf(instanceArn, INSTANCE_RESOURCE);
  if (instance === null) return refuse(`${instanceArn} is not an Identity Center instance ARN`);
  if (ssoInstanceOf(permissionSetArn, PERMISSION_SET_RESOURCE) !== instance) {
    return refuse(`${permissionSetArn} is not a permission set of instance ${instanceArn}`);
  }
  if (!SHA256.test(definitionHash)) return refuse('the definition hash is not a SHA-256');

  const policySourceArn = record.denial.policySourceArn;
  const reserved = policySourceArn === null ? null : parseIamArn(policySourceArn);
  if (policySourceArn === null || reserved === null || reserved.kind !== 'role') {
    return refuse(
      'the denial names no Identity Center role whose policies decide: nothing to verify against',
    );
  }
  if (reserved.accountId !== accountId)
    return refuse(`the role ${policySourceArn} is not in account ${accountId}`);
  if (!RESERVED_SSO_PATH.test(reserved.path) || RESERVED_SSO_NAME.exec(reserved.name)?.[1] !== target.name) {
    return refuse(`${policySourceArn} is not the Identity Center role of permission set ${target.name}`);
  }
  if (isProtectedRole(shape.roleArn, settings)) {
    return refuse(
      `the document would let ${policySourceArn} pass ${shape.roleArn}, one of this stack's own roles`,
    );
  }
  return {
    ok: true,
    plan: {
      ref: { instanceArn, permissionSetArn, name: target.name },
      definitionHash,
      target: { ...target, type: 'permission-set' },
      document: proposal.document,
      policySourceArn,
      roleArn: shape.roleArn,
      service: shape.service,
      accountId,
    },
  };
}
