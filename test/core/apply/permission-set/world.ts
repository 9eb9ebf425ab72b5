/**
 * The seed denial as an Identity Center user's: the same role passed to the same service, by a
 * session of the reserved role of permission set `Data_Engineer` (a name with `_`), proposed on the
 * set as read from Identity Center, approved and signed with the set's claim. The world around it:
 * the apply's usual doubles (seed-apply.ts) plus Identity Center in memory and the member account's
 * IAM as provisioning leaves it.
 */
import { InMemoryDecisionLedger } from '../../../../lambda/adapters/memory/in-memory-decision-ledger';
import { InMemoryEventPublisher } from '../../../../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../../../lambda/adapters/memory/in-memory-notifier';
import { LocalPolicySimulator } from '../../../../lambda/adapters/local/local-policy-simulator';
import { scopeFromAuthorizationDetails } from '../../../../lambda/adapters/authorization-details';
import type { AuthorizationDetails } from '../../../../lambda/adapters/gaad/shapes';
import type { ApplyDependencies, ApplySettings } from '../../../../lambda/core/apply/apply-proposal';
import type { PermissionSetClaim } from '../../../../lambda/core/approval/signed-decision';
import { definitionHash } from '../../../../lambda/core/identity-center/definition-hash';
import type {
  IdentityCenterAdministration,
  PermissionSetDefinition,
} from '../../../../lambda/core/identity-center/model';
import type { IncidentRecord } from '../../../../lambda/core/incident';
import { FakeApprovalStore } from '../../../support/fake-approval-store';
import { InMemoryIdentityCenter, memberReader } from '../../../support/identity-center-apply';
import { FakeEscalationReader, testDecisionVerifier, withDecision } from '../../../support/signed-approval';
import {
  ACCOUNT,
  APPROVED_AT,
  approved,
  fakeTime,
  RecordingSimulator,
  SEED_ACCOUNT_JSON,
  SEED_ROLE_ARN,
  seedEscalationInputs,
} from '../seed-apply';

export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
export const SET_ARN = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-abcdef0123456789';
export const SET_NAME = 'Data_Engineer';
export const RESERVED_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_${SET_NAME}_0123456789abcdef`;
export const MANAGEMENT_ACCOUNT = '999999999999';
export const OTHER_ACCOUNT = '210987654321';

/** What the set held before: one unrelated statement, written with whitespace as people do. */
export const PREVIOUS_INLINE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadData', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
    ],
  },
  null,
  2,
);

export function setDefinition(overrides: Partial<PermissionSetDefinition> = {}): PermissionSetDefinition {
  return {
    instanceArn: INSTANCE_ARN,
    permissionSetArn: SET_ARN,
    name: SET_NAME,
    inlinePolicy: PREVIOUS_INLINE,
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    customerManagedPolicies: [],
    boundary: null,
    tags: { 'passrole-doctor:managed': 'true' },
    ...overrides,
  };
}

/**
 * `seed` (the seed record, pending) as the proposal on the set `definition`, approved and signed with
 * `claim` overriding the set's own claim.
 */
export function permissionSetApproved(
  seed: IncidentRecord,
  definition: PermissionSetDefinition = setDefinition(),
  claim: Partial<PermissionSetClaim> | null = {},
): IncidentRecord {
  const record = structuredClone(seed);
  if (record.proposal === null) throw new Error('no proposal');
  record.denial = {
    ...record.denial,
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_${SET_NAME}_0123456789abcdef/mei.tanaka`,
    principalType: 'sso-role',
    policySourceArn: RESERVED_ROLE_ARN,
    permissionSetName: SET_NAME,
  };
  record.proposal.target = {
    type: 'permission-set',
    name: SET_NAME,
    arn: null,
    memberCount: null,
    instanceArn: INSTANCE_ARN,
    permissionSetArn: SET_ARN,
    provisionedAccounts: [ACCOUNT],
    definitionHash: definitionHash(definition),
  };
  if (record.diagnosis.outcome === 'proposed') record.diagnosis.proposal = record.proposal;
  const unsigned = { ...approved(record), decision: null };
  const fingerprint = new FakeEscalationReader(seedEscalationInputs()).fingerprint();
  const permissionSet: PermissionSetClaim = {
    instanceArn: INSTANCE_ARN,
    permissionSetArn: SET_ARN,
    accountId: ACCOUNT,
    definitionHash: definitionHash(definition),
    ...claim,
  };
  return withDecision(unsigned, {
    fingerprint,
    decidedAt: APPROVED_AT,
    overrides: claim === null ? {} : { permissionSet },
  });
}

export const PS_SETTINGS: ApplySettings = {
  protectedRoleArns: [`arn:aws:iam::${ACCOUNT}:role/PassRoleDoctor-ApplyFunctionRole-1A2B3C`],
  allowedTargetTypes: ['group', 'user', 'role'],
  verifyTimeoutMs: 120_000,
  leaseMs: 300_000,
  reviewBaseUrl: 'https://review.example.com',
};

export interface PermissionSetWorld {
  store: FakeApprovalStore;
  ic: InMemoryIdentityCenter;
  member: ReturnType<typeof memberReader>;
  simulator: RecordingSimulator;
  notifier: InMemoryNotifier;
  events: InMemoryEventPublisher;
  ledger: InMemoryDecisionLedger;
  time: ReturnType<typeof fakeTime>;
  /** Who each writer was asked for (the apply role's SourceIdentity), in order. */
  approvers: string[];
  deps: ApplyDependencies;
}

export function permissionSetWorld(
  record: IncidentRecord,
  {
    definition = setDefinition(),
    provisionedTo = [ACCOUNT],
    administration = { kind: 'management', accountId: MANAGEMENT_ACCOUNT },
    settings = PS_SETTINGS,
  }: {
    definition?: PermissionSetDefinition;
    provisionedTo?: string[];
    administration?: IdentityCenterAdministration;
    settings?: ApplySettings;
  } = {},
): PermissionSetWorld {
  const store = new FakeApprovalStore([record]);
  const ic = new InMemoryIdentityCenter([definition], provisionedTo);
  // The account as last provisioned: the set's previous inline policy on the reserved role.
  for (const account of provisionedTo) ic.provisionedInline.set(account, definition.inlinePolicy);
  const passedRole = scopeFromAuthorizationDetails(
    SEED_ACCOUNT_JSON as AuthorizationDetails,
    `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
    SEED_ROLE_ARN,
  ).passedRole;
  const member = memberReader(ic, ACCOUNT, RESERVED_ROLE_ARN, passedRole);
  const simulator = new RecordingSimulator(new LocalPolicySimulator());
  const notifier = new InMemoryNotifier();
  const events = new InMemoryEventPublisher();
  const ledger = new InMemoryDecisionLedger();
  const time = fakeTime();
  const approvers: string[] = [];
  return {
    approvers,
    store,
    ic,
    member,
    simulator,
    notifier,
    events,
    ledger,
    time,
    deps: {
      store,
      decisionVerifier: testDecisionVerifier,
      escalationReader: new FakeEscalationReader(seedEscalationInputs()),
      decisionLedger: ledger,
      // IAM is never written for a permission set: a writer that fails the test if it is.
      writer: {
        putInlinePolicy: () => Promise.reject(new Error('IAM must not be written for a permission set')),
        getInlinePolicy: () => Promise.reject(new Error('IAM must not be read for a permission set')),
      },
      simulator,
      accountReader: member,
      notifier,
      events,
      clock: time.clock,
      sleep: time.sleep,
      settings,
      identityCenter: {
        reader: ic,
        writer: (approver: string) => {
          approvers.push(approver);
          return ic;
        },
        administration: () => Promise.resolve(administration),
      },
    },
  };
}
