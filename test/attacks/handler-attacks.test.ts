/**
 * Part B of the attack suite: the findings and their variants replayed against the real
 * approval, apply and reconcile handlers on moto (IAM, DynamoDB). Every case ends by reading moto's
 * IAM: the attack wrote nothing, or (the collision) broke nothing. Proposals come from the product's
 * own diagnosis of the seed denial (mei.tanaka passing a role to Glue; target group GlueAccess).
 */
import { DeleteGroupPolicyCommand } from '@aws-sdk/client-iam';
import type { IncidentRecord } from '../../lambda/core/incident';
import type { ApprovalResponse } from '../../lambda/handlers/approval/handler';
import { motoEndpoint } from '../integration/support/aws-clients';
import { resetMoto } from '../integration/support/moto';
import {
  ACCOUNT,
  buildAttackAccount,
  DENIED,
  DENIED_ROLE,
  denialFor,
  roleSessionDenialFor,
  GROUP_MEMBER,
  OUTSIDER,
  REVIEWER_ROLE,
  ROLES,
  sessionArn,
  TARGET_GROUP,
} from './support/attack-account';
import { recordAttack } from './support/attack-results';
import {
  ApprovalDeployment,
  forgetDeploymentKeys,
  type DeploymentSettings,
} from './support/approval-deployment';

const PART = 'handlers';
/** Everyone in the account may use the IAM routes: only the rules under attack can refuse. */
const EVERYONE = [`arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:sts::${ACCOUNT}:assumed-role/*`];

const deployments: ApprovalDeployment[] = [];
/** Said once at the end: what a made-up authorizer context still gets (the residual risk). */
const residual: string[] = [];

beforeAll(async () => {
  await resetMoto(motoEndpoint());
  forgetDeploymentKeys();
  const setup = await ApprovalDeployment.create();
  deployments.push(setup);
  await buildAttackAccount(setup.clients.iam);
});

afterEach(async () => {
  // A case that legitimately applied leaves GlueAccess as the seed had it (no inline policies).
  const [any] = deployments;
  if (any === undefined) return;
  for (const name of Object.keys(await any.groupPolicies())) {
    await any.clients.iam.send(new DeleteGroupPolicyCommand({ GroupName: TARGET_GROUP, PolicyName: name }));
  }
});

afterAll(() => {
  if (residual.length > 0) console.log(residual.join('\n'));
  for (const deployment of deployments.splice(0)) deployment.destroy();
});

async function deploy(settings: Partial<DeploymentSettings>): Promise<ApprovalDeployment> {
  const deployment = await ApprovalDeployment.create(settings);
  deployments.push(deployment);
  return deployment;
}

const STILL_UNDECIDED = ['pending', 'rejected'];

interface Observed {
  status: string | null;
  writes: string[];
  /** The proposal's policy as moto's IAM holds it on the target group (undefined: absent). */
  inIam: unknown;
}

/** What the attack left behind: the record's status, the apply function's IAM writes, IAM itself. */
async function observe(
  deployment: ApprovalDeployment,
  record: IncidentRecord,
  writesBefore = 0,
): Promise<Observed> {
  await deployment.runQueuedApplies();
  const policyName = record.proposal?.policyName ?? '';
  return {
    status: await deployment.status(record.id),
    writes: deployment.iamWrites().slice(writesBefore),
    inIam: (await deployment.groupPolicies())[policyName],
  };
}

/** Statuses that mean the IAM write happened or was attempted under the decision. */
const APPLIED = ['applied', 'verified', 'not-verified'];

/**
 * Records the case (before any assertion, so a failing defence is counted), then asserts that every
 * decision request was refused (403, or 409 for a refusal about the proposal's state: the same
 * approver again, a risen level), nothing reached IAM and the record shows no apply. An attack by a
 * decision request must also leave the proposal undecided; a forged record is `approved` by the
 * attacker's own write, and must stay unapplied (`approved`, awaiting re-approval, or `failed`, refused).
 */
async function concludeRefused(
  name: string,
  deployment: ApprovalDeployment,
  record: IncidentRecord,
  refusedResponses: ApprovalResponse[],
  options: { forged?: boolean; writesBefore?: number } = {},
): Promise<void> {
  const observed = await observe(deployment, record, options.writesBefore ?? 0);
  const status = observed.status ?? 'pending';
  const escalated = options.forged === true ? APPLIED.includes(status) : !STILL_UNDECIDED.includes(status);
  const forgedApplied = observed.writes.length > 0 || observed.inIam !== undefined;
  recordAttack({ part: PART, name, escalated, forgedApplied });
  expect({
    responses: refusedResponses.map((response) =>
      [403, 409].includes(response.statusCode) ? 'refused' : response.statusCode,
    ),
    status: observed.status,
    writes: observed.writes,
    inIam: observed.inIam,
  }).toEqual({
    responses: refusedResponses.map(() => 'refused'),
    status: expect.stringMatching(options.forged === true ? /^(approved|failed)$/ : /^(pending|rejected)$/),
    writes: [],
    inIam: undefined,
  });
}

describe('finding 1: self-approval and separation of duties (IAM route, everyone an approver)', () => {
  it('the denied principal cannot approve their own proposal', async () => {
    const deployment = await deploy({ approvers: EVERYONE });
    const record = await deployment.propose(denialFor(ROLES.contained));
    const response = await deployment.decideAsIam(record.id, DENIED);
    await concludeRefused(
      'the denied principal approves their own proposal (IAM route)',
      deployment,
      record,
      [response],
    );
  });

  it.each([
    ['the denied principal', DENIED],
    ['another approver', OUTSIDER],
  ])(
    '%s cannot approve passing an AdministratorAccess role (not approvable by default)',
    async (who, caller) => {
      const deployment = await deploy({ approvers: EVERYONE });
      const record = await deployment.propose(denialFor(ROLES.admin));
      const response = await deployment.decideAsIam(record.id, caller);
      await concludeRefused(`${who} approves passing an admin role (IAM route)`, deployment, record, [
        response,
      ]);
      expect(record.proposal?.escalation).toMatchObject({ level: 'admin' });
      expect(record.proposal?.approval).toMatchObject({ requires: 'not-approvable' });
    },
  );

  it('a member of the target group (who would gain the permission) cannot approve', async () => {
    const deployment = await deploy({ approvers: EVERYONE });
    const record = await deployment.propose(denialFor(ROLES.contained));
    const response = await deployment.decideAsIam(record.id, GROUP_MEMBER);
    await concludeRefused('a member of the target group approves', deployment, record, [response]);
  });

  it("a session of the target role (the denied role's own) cannot approve", async () => {
    const deployment = await deploy({ approvers: EVERYONE });
    const record = await deployment.propose(roleSessionDenialFor(ROLES.contained));
    const response = await deployment.decideAsIam(record.id, sessionArn(DENIED_ROLE, 'another-session'));
    await concludeRefused('another session of the denied (target) role approves', deployment, record, [
      response,
    ]);
    expect(record.proposal?.target).toMatchObject({ type: 'role', name: DENIED_ROLE });
  });

  it('two session names on one role are one approver: an admin grant stays unapproved', async () => {
    const deployment = await deploy({ approvers: EVERYONE, allowAdminRoles: true });
    const record = await deployment.propose(denialFor(ROLES.admin));
    const first = await deployment.decideAsIam(record.id, sessionArn(REVIEWER_ROLE, 'alice'));
    const second = await deployment.decideAsIam(record.id, sessionArn(REVIEWER_ROLE, 'bob'));
    await concludeRefused('two approvals from one role under two session names', deployment, record, [
      second,
    ]);
    expect(record.proposal?.approval).toMatchObject({ requires: 'two-approvers' });
    // The first approval counted (one of two), and said so.
    expect(first.statusCode).toBeLessThan(300);
    expect((await deployment.store.get(record.id))?.approvals).toHaveLength(1);
  });
});

describe('finding 1 (link mode) and finding 9: review links', () => {
  it('a review link cannot approve a sensitive proposal', async () => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const record = await deployment.propose(denialFor(ROLES.sensitive));
    const response = await deployment.decideByLink(record.id, await deployment.linkToken(record));
    await concludeRefused(
      'a review link (a token for a sensitive proposal) approves it',
      deployment,
      record,
      [response],
    );
    expect(record.proposal?.escalation).toMatchObject({ level: 'sensitive' });
  });

  it('a review link cannot approve an admin proposal, even with allowAdminRoles', async () => {
    const deployment = await deploy({ approvers: [OUTSIDER], allowAdminRoles: true });
    const record = await deployment.propose(denialFor(ROLES.admin));
    const response = await deployment.decideByLink(record.id, await deployment.linkToken(record));
    await concludeRefused('a review link approves passing an admin role', deployment, record, [response]);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }],
    ['neither Origin nor Sec-Fetch-Site', {}],
  ])('a cross-site POST (%s) gets the 403 page', async (how, headers) => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const record = await deployment.propose(denialFor(ROLES.contained));
    const response = await deployment.decideByLink(record.id, await deployment.linkToken(record), headers);
    await concludeRefused(`a cross-site approve POST with ${how}`, deployment, record, [response]);
    // A link may approve this level: only the origin check refused it.
    expect(record.proposal?.escalation?.level).toBe('contained');
  });
});

describe('finding 2: the apply step does not trust the table', () => {
  it('a forged approved item with a valid-looking document hash is refused by the reconciler and the apply function', async () => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const pending = await deployment.propose(denialFor(ROLES.contained));
    const forged = forgeApproved(pending, `${pending.id}-forged`);
    await deployment.putForgedItem(forged);
    await deployment.reconcileAndApply();
    // And as an attacker who can invoke the apply function would ask for it.
    await deployment.apply({ proposalId: forged.id });
    await concludeRefused('a forged approved item put straight into the table', deployment, forged, [], {
      forged: true,
    });
  });

  it("another proposal's signed decision copied onto a forged item is refused", async () => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const approvedOne = await deployment.propose(denialFor(ROLES.contained));
    const legit = await deployment.decideAsIam(approvedOne.id, OUTSIDER);
    await deployment.runQueuedApplies();
    const signed = await deployment.store.get(approvedOne.id);

    const other = await deployment.propose(denialFor(ROLES.sensitive));
    const forged = { ...forgeApproved(other, other.id), decision: signed?.decision ?? null };
    const writesBefore = deployment.iamWrites().length;
    await deployment.putForgedItem(forged);
    await deployment.reconcileAndApply();
    await deployment.apply({ proposalId: forged.id });
    await concludeRefused(
      "another proposal's signed decision copied onto a forged item",
      deployment,
      forged,
      [],
      {
        forged: true,
        writesBefore,
      },
    );
    expect(legit.statusCode).toBeLessThan(300);
    expect(signed?.decision).toBeTruthy();
  });

  it('a replayed decision id is refused: a revoked grant is not written again', async () => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const record = await deployment.propose(denialFor(ROLES.contained));
    const legit = await deployment.decideAsIam(record.id, OUTSIDER);
    await deployment.runQueuedApplies();
    const applied = await deployment.store.get(record.id);
    // An administrator revokes the grant; the attacker puts the approved record back with its decision.
    const policyName = record.proposal?.policyName ?? '';
    if (applied?.status === 'verified') {
      await deployment.clients.iam.send(
        new DeleteGroupPolicyCommand({ GroupName: TARGET_GROUP, PolicyName: policyName }),
      );
    }
    const replay = { ...forgeApproved(record, record.id), decision: applied?.decision ?? null };
    const writesBefore = deployment.iamWrites().length;
    await deployment.putForgedItem(replay);
    await deployment.reconcileAndApply();
    await deployment.apply({ proposalId: replay.id });
    await concludeRefused('a replayed decision id', deployment, replay, [], { forged: true, writesBefore });
    expect(legit.statusCode).toBeLessThan(300);
    expect(applied?.status).toBe('verified');
  });
});

describe('a direct invoke of the approval function with a made-up authorizer context', () => {
  // Without the SCP anyone with lambda:InvokeFunction can claim any identity: the handler cannot tell.
  // What the claimed identity still cannot do is what the rules refuse whoever the caller is.
  const LISTED = [OUTSIDER, GROUP_MEMBER, sessionArn(REVIEWER_ROLE, '*')];

  it('claiming a listed approver approves a contained grant (the residual risk the SCP closes)', async () => {
    const deployment = await deploy({ approvers: LISTED });
    const record = await deployment.propose(denialFor(ROLES.contained));
    const response = await deployment.decideAsIam(record.id, OUTSIDER);
    const status = await deployment.status(record.id);
    // Counted, not an escalation: the claimed approver may approve this; the SCP is what stops the claim.
    recordAttack({
      part: PART,
      name: 'a made-up authorizer context claiming a listed approver',
      escalated: false,
      forgedApplied: false,
    });
    residual.push(
      'without the SCP a direct invoke of the approval function can still: approve a ' +
        `${record.proposal?.escalation?.level ?? 'contained'} grant as a listed approver it claims to be ` +
        `(HTTP ${response.statusCode}, ${status})`,
    );
    expect(response.statusCode).toBeLessThan(300);
    expect(record.proposal?.escalation?.level).toBe('contained');
  });

  it('claiming someone who gains the permission is refused', async () => {
    const deployment = await deploy({ approvers: LISTED });
    const record = await deployment.propose(denialFor(ROLES.contained));
    const response = await deployment.decideAsIam(record.id, GROUP_MEMBER);
    await concludeRefused('a made-up context claiming a member of the target group', deployment, record, [
      response,
    ]);
  });

  it('claiming an identity that is not a listed approver cannot approve a sensitive grant', async () => {
    const deployment = await deploy({ approvers: LISTED });
    const record = await deployment.propose(denialFor(ROLES.sensitive));
    const response = await deployment.decideAsIam(record.id, sessionArn('intruder', 'x'));
    await concludeRefused(
      'a made-up context claiming an unlisted identity, sensitive grant',
      deployment,
      record,
      [response],
    );
  });

  it.each([false, true])(
    'claiming one listed approver cannot approve an admin grant (allowAdminRoles %s)',
    async (allowAdminRoles) => {
      const deployment = await deploy({ approvers: LISTED, allowAdminRoles });
      const record = await deployment.propose(denialFor(ROLES.admin));
      const response = await deployment.decideAsIam(record.id, OUTSIDER);
      // With allowAdminRoles the one approval is recorded (the first of two): the grant stays pending.
      await concludeRefused(
        `a made-up context claiming one approver, admin grant (allowAdminRoles ${allowAdminRoles})`,
        deployment,
        record,
        allowAdminRoles ? [] : [response],
      );
    },
  );
});

describe('a forged auto-approval invoke (the event decides nothing by itself)', () => {
  it.each([
    ['no-new-access', ROLES.contained],
    ['no-new-access', ROLES.sensitive],
    ['off', ROLES.contained],
  ] as const)('with AUTO_APPROVE=%s, a proposal passing %s is not approved', async (autoApprove, role) => {
    const deployment = await deploy({ approvers: [OUTSIDER], autoApprove });
    const record = await deployment.propose(denialFor(role));
    const result = await deployment.autoApproveInvoke(record.id);
    await concludeRefused(
      `a forged auto-approval event for a proposal passing ${role} (AUTO_APPROVE=${autoApprove})`,
      deployment,
      record,
      [],
    );
    expect(result.autoApproved).toBe(false);
  });
});

describe('finding 8: policy-name collisions', () => {
  it('approving etl_nightly_runtime never replaces the policy approved for etl-nightly-runtime', async () => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const first = await deployment.propose(denialFor(ROLES.contained));
    const firstApproval = await deployment.decideAsIam(first.id, OUTSIDER);
    await deployment.runQueuedApplies();
    const firstName = first.proposal?.policyName ?? '';
    const before = (await deployment.groupPolicies())[firstName];

    const second = await deployment.propose(denialFor(ROLES.collision));
    await deployment.decideAsIam(second.id, OUTSIDER);
    await deployment.runQueuedApplies();
    const after = (await deployment.groupPolicies())[firstName];
    recordAttack({
      part: PART,
      name: 'a same-named policy approved for etl_nightly_runtime after etl-nightly-runtime',
      escalated: JSON.stringify(after) !== JSON.stringify(first.proposal?.document),
      forgedApplied: false,
    });
    expect(after).toEqual(first.proposal?.document);
    expect(firstApproval.statusCode).toBeLessThan(300);
    expect(before).toEqual(first.proposal?.document);
  });
});

/** `record` as an attacker with dynamodb:PutItem writes it: approved, its document hash consistent. */
function forgeApproved(record: IncidentRecord, id: string): IncidentRecord {
  const at = new Date().toISOString();
  return {
    ...structuredClone(record),
    id,
    status: 'approved',
    history: [
      ...record.history.filter((entry) => entry.status === 'pending'),
      {
        status: 'approved',
        actor: { kind: 'iam', name: OUTSIDER, sourceIp: '203.0.113.66', userAgent: 'aws-cli' },
        at,
        detail: null,
      },
    ],
  };
}

describe('a record in the previous release shape (a recorded diagnosis)', () => {
  it("a forged item's recorded words and decoy proposal never reach the reviewer as they were written", async () => {
    const deployment = await deploy({ approvers: [OUTSIDER] });
    const real = await deployment.propose(denialFor(ROLES.contained));
    const markup = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const decoy = { ...structuredClone(real.proposal), policyName: 'ReadOnlyHarmlessDecoy' };
    // As the previous release stored a diagnosis: flat, with its own words and its own proposal.
    const forged: IncidentRecord = {
      ...structuredClone(real),
      id: `${real.id}-recorded`,
      diagnosis: {
        outcome: 'recorded',
        denial: real.denial,
        verdict: 'implicitDeny',
        summary: `Nothing to worry about ${markup}`,
        findings: [{ kind: 'near-miss', message: markup, policy: markup, statement: null }],
        proposal: decoy as NonNullable<IncidentRecord['proposal']>,
        reason: null,
      },
    };
    await deployment.putForgedItem(forged);
    const page = await deployment.reviewPage(forged.id, await deployment.linkToken(forged));
    const html = String(page.body ?? '');
    const rawMarkup = html.includes('<script>alert') || html.includes('<img src=x');
    // The page shows the proposal the decision would sign and the apply step would write.
    const showsDecoy = html.includes('ReadOnlyHarmlessDecoy');
    recordAttack({
      part: PART,
      name: "a recorded diagnosis's stored words and decoy proposal on the review page",
      escalated: rawMarkup || showsDecoy,
      forgedApplied: false,
    });
    expect({ status: page.statusCode, rawMarkup, showsDecoy }).toEqual({
      status: 200,
      rawMarkup: false,
      showsDecoy: false,
    });
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(real.proposal?.policyName ?? 'missing');
  });
});
