/**
 * What the apply function checks before it may write IAM. The database is not trusted: the record
 * could have been changed after it was approved, so the document, its target and the principal are
 * checked again here, each refusal with a reason a person can act on.
 */
import { checkMinimalDocument } from '../approval/minimal-shape';
import { parseArn } from '../iam/arn';
import { documentHash, type IncidentRecord } from '../incident';
import type { PolicyDocument, Proposal, ProposalTarget } from '../model';

export type WritableTargetType = 'group' | 'user' | 'role';

export interface ApplyGateSettings {
  /** The account the function may write in; the denial's account when not configured. */
  accountId?: string;
  /** The stack's own roles (the apply function's among them): never a target, principal or passed role. */
  protectedRoleArns: readonly string[];
  allowedTargetTypes: readonly WritableTargetType[];
  /**
   * Organization mode: role names protected in every account (the member roles the hub acts
   * through), each name or name prefix ending in `*`; never a target, principal or passed role.
   */
  protectedRoleNames?: readonly string[];
  /** Organization mode: accounts the hub never reads or writes (excludedAccounts). */
  excludedAccounts?: readonly string[];
}

/** Everything the apply step needs, once the record has passed every check. */
export interface ApplyPlan {
  target: ProposalTarget & { type: WritableTargetType; arn: string };
  policyName: string;
  document: PolicyDocument;
  /** The IAM entity whose policies decide (the user, or the role behind a session). */
  policySourceArn: string;
  /** The one role the document lets the principal pass, and to which service. */
  roleArn: string;
  service: string;
  accountId: string;
}

export type ApplyGate = { ok: true; plan: ApplyPlan } | { ok: false; reason: string };

/** IAM paths AWS owns: Identity Center's roles and service-linked roles. Nothing here may be edited. */
export const RESERVED_PATH_PREFIXES = ['/aws-reserved/', '/aws-service-role/'] as const;

/** IAM's own rule for inline policy names. */
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

interface IamEntity {
  account: string;
  kind: string;
  path: string;
  name: string;
}

/** user/, group/ or role/ ARNs: kind, path ('/' when none) and name. */
function iamEntityOf(arn: string): IamEntity | null {
  const parsed = parseArn(arn);
  if (parsed === null || parsed.service !== 'iam' || !/^\d{12}$/.test(parsed.account)) return null;
  const [kind = '', ...rest] = parsed.resource.split('/');
  const name = rest.at(-1) ?? '';
  if (!['user', 'group', 'role'].includes(kind) || name === '') return null;
  const path = rest.length > 1 ? `/${rest.slice(0, -1).join('/')}/` : '/';
  return { account: parsed.account, kind, path, name };
}

function reservedPath(entity: IamEntity): string | null {
  const path = entity.path.toLowerCase();
  return RESERVED_PATH_PREFIXES.find((prefix) => path.startsWith(prefix)) ?? null;
}

/**
 * IAM names are unique per account and kind whatever the path, and case-insensitive: a protected role
 * is recognized with or without its path and in any case.
 */
function entityKey(entity: IamEntity): string {
  return `${entity.account}:${entity.kind}:${entity.name.toLowerCase()}`;
}

function protectedKeys(arns: readonly string[]): Set<string> {
  return new Set(
    arns.flatMap((arn) => {
      const entity = iamEntityOf(arn.trim());
      return entity === null ? [] : [entityKey(entity)];
    }),
  );
}

/** A role named by one of `names` (exactly, or by prefix for a name ending in `*`), in any case. */
function memberRoleName(entity: IamEntity, names: readonly string[]): boolean {
  if (entity.kind !== 'role') return false;
  const name = entity.name.toLowerCase();
  return names.some((pattern) => {
    const lower = pattern.toLowerCase();
    return lower.endsWith('*') ? name.startsWith(lower.slice(0, -1)) : name === lower;
  });
}

/**
 * Whether `roleArn` is one of the stack's own roles (by ARN) or a member role (by name): never a
 * target, principal or passed role. For the permission-set gate, which checks the same list.
 */
export function isProtectedRole(
  roleArn: string,
  settings: Pick<ApplyGateSettings, 'protectedRoleArns' | 'protectedRoleNames'>,
): boolean {
  const entity = iamEntityOf(roleArn);
  if (entity === null) return false;
  return (
    protectedKeys(settings.protectedRoleArns).has(entityKey(entity)) ||
    memberRoleName(entity, settings.protectedRoleNames ?? [])
  );
}

/** What the first checks of every apply leave: the approved proposal and the account it writes for. */
export type ApprovedRecord =
  | { ok: true; proposal: Proposal; accountId: string; shape: { roleArn: string; service: string } }
  | { ok: false; reason: string };

/**
 * The checks every apply makes first, IAM target or permission set: the document is the approved
 * one, the record's accounts agree, the account is not excluded, and the document is the minimal
 * grant. `denialAccountOnly`: also refuse when the function's account is not the denial's.
 */
export function checkApprovedRecord(
  record: IncidentRecord,
  settings: Pick<ApplyGateSettings, 'accountId' | 'excludedAccounts'>,
  denialAccountOnly: boolean,
): ApprovedRecord {
  const refuse = (reason: string): ApprovedRecord => ({ ok: false, reason });
  const proposal = record.proposal;
  if (proposal === null) return refuse('the record holds no proposal to apply');

  const hash = documentHash(proposal.document);
  if (record.documentHash === null || hash !== record.documentHash) {
    return refuse(
      `the policy document is not the one approved: its SHA-256 is ${hash}, the approved one ${record.documentHash ?? 'missing'}`,
    );
  }

  const accountId = settings.accountId ?? record.denial.account;
  // The hub's record names the organization account it admitted: it must be the denial's.
  const named = record.organizationAccount?.id;
  if (named !== undefined && named !== record.denial.account) {
    return refuse(`the record names account ${named} and its denial account ${record.denial.account}`);
  }
  if (denialAccountOnly && accountId !== record.denial.account) {
    return refuse(`the denial is in account ${record.denial.account}, not ${accountId}`);
  }
  if ((settings.excludedAccounts ?? []).includes(accountId)) {
    return refuse(`account ${accountId} is excluded: the hub never writes there`);
  }
  const shape = checkMinimalDocument(proposal.document, accountId);
  if (!shape.ok) return refuse(`the policy document is not the minimal iam:PassRole grant: ${shape.problem}`);
  return { ok: true, proposal, accountId, shape };
}

export function checkApplicable(record: IncidentRecord, settings: ApplyGateSettings): ApplyGate {
  const refuse = (reason: string): ApplyGate => ({ ok: false, reason });
  const approved = checkApprovedRecord(record, settings, false);
  if (!approved.ok) return approved;
  const { proposal, accountId, shape } = approved;

  if (!POLICY_NAME.test(proposal.policyName)) {
    return refuse('the policy name is not a valid IAM policy name');
  }

  const target = proposal.target;
  if (target.type === 'permission-set') {
    return refuse(
      `the target is the permission set ${target.name}: Identity Center manages it, add the policy there`,
    );
  }
  if (!settings.allowedTargetTypes.includes(target.type)) {
    return refuse(
      `${target.type} targets are not allowed here (allowed: ${settings.allowedTargetTypes.join(', ') || 'none'})`,
    );
  }
  const targetEntity = target.arn === null ? null : iamEntityOf(target.arn);
  if (target.arn === null || targetEntity === null) {
    return refuse(`the target ${target.type} ${target.name} has no IAM ARN`);
  }
  if (targetEntity.kind !== target.type || targetEntity.name !== target.name) {
    return refuse(`the target ARN ${target.arn} does not name ${target.type} ${target.name}`);
  }
  if (targetEntity.account !== accountId) {
    return refuse(`the target ${target.arn} is not in account ${accountId}`);
  }

  const policySourceArn = record.denial.policySourceArn;
  const principal = policySourceArn === null ? null : iamEntityOf(policySourceArn);
  if (policySourceArn === null || principal === null) {
    return refuse('the denial names no IAM user or role whose policies decide: nothing to verify against');
  }

  const guarded = protectedKeys(settings.protectedRoleArns);
  const isProtected = (entity: IamEntity): boolean =>
    guarded.has(entityKey(entity)) || memberRoleName(entity, settings.protectedRoleNames ?? []);
  const checks: [string, IamEntity][] = [
    [`the target ${target.arn}`, targetEntity],
    [`the principal ${policySourceArn}`, principal],
  ];
  for (const [what, entity] of checks) {
    const reserved = reservedPath(entity);
    if (reserved !== null) return refuse(`${what} is under ${reserved}: AWS manages it, it is never edited`);
    if (isProtected(entity)) return refuse(`${what} is one of this stack's own roles`);
  }
  const passed = iamEntityOf(shape.roleArn);
  if (passed !== null && isProtected(passed)) {
    return refuse(
      `the document would let ${policySourceArn} pass ${shape.roleArn}, one of this stack's own roles`,
    );
  }

  return {
    ok: true,
    plan: {
      target: { ...target, type: target.type, arn: target.arn },
      policyName: proposal.policyName,
      document: proposal.document,
      policySourceArn,
      roleArn: shape.roleArn,
      service: shape.service,
      accountId,
    },
  };
}
