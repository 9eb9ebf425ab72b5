/**
 * The diagnose handler in organization mode: admission first, then the admitted account's access
 * and SCPs; every refusal acknowledged, logged with its reason and counted, never diagnosed; the
 * per-account metrics. And single-account mode's refusal of another account's denial.
 */
import { readDenials } from '../../../lambda/core/denial';
import { MemberAccessError, TransientAwsError } from '../../../lambda/core/errors';
import { incidentKeyOf } from '../../../lambda/core/incident';
import { ACCOUNT_DIMENSION, REFUSAL_METRIC } from '../../../lambda/handlers/diagnose/account-observability';
import { METRIC } from '../../../lambda/handlers/diagnose/handler';
import { OU_CHANNEL_FAILURES } from '../../../lambda/handlers/diagnose/ou-channel';
import { ROOT, WORKLOADS } from '../../support/fake-organization-reader';
import {
  ACCOUNTS,
  EXCLUDED,
  HUB,
  MEMBER_A,
  MEMBER_B,
  memberEnvelope,
  memberRecord,
  organizationHarness,
  OUTSIDER,
  SANDBOXED,
  SCP_DENY_LEAVE,
} from '../../support/organization-diagnose';
import { harness, lambdaContext, seedRecord, sqsEvent, type Harness } from './support';

function event(...bodies: string[]) {
  return { Records: sqsEvent(...bodies).Records };
}

function refusalLines(h: Harness) {
  return h.logger
    .productionLines()
    .filter(
      (line) => line.attributes['reason'] !== undefined && line.message.startsWith('denial acknowledged'),
    );
}

describe('organization mode: an admitted denial', () => {
  it('is diagnosed in its own account, with its SCPs, and the record names the account', async () => {
    const h = organizationHarness();
    const response = await h.handler(
      event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(h.access.reads).toEqual([MEMBER_A]);
    expect(h.access.reads).not.toContain(HUB);
    expect(h.built).toEqual([{ accountId: MEMBER_A, scps: [[], [SCP_DENY_LEAVE], []] }]);
    const [record, ...others] = h.store.all();
    expect(others).toEqual([]);
    expect(record?.organizationAccount).toEqual(ACCOUNTS[MEMBER_A]);
    expect(record?.proposal?.target).toMatchObject({ type: 'group', name: 'GlueAccess' });
    expect(record?.diagnosis.denial?.account).toBe(MEMBER_A);
    expect(h.notifier.messages).toHaveLength(1);
  });

  it('keeps two members apart: each read only in its own account, each its own incident', async () => {
    const h = organizationHarness();
    await h.handler(
      event(
        memberEnvelope(memberRecord(MEMBER_A, 'evt-a1')),
        memberEnvelope(memberRecord(MEMBER_B, 'evt-b1')),
      ),
      lambdaContext(),
    );
    expect(h.access.reads).toEqual([MEMBER_A, MEMBER_B]);
    expect(h.built.map((built) => built.accountId)).toEqual([MEMBER_A, MEMBER_B]);
    expect(
      h.store
        .all()
        .map((record) => record.organizationAccount?.id)
        .sort(),
    ).toEqual([MEMBER_A, MEMBER_B]);
    expect(h.access.writes).toEqual([]);
  });

  it('reads no SCPs and builds no diagnoser for a repeat of an open incident', async () => {
    const h = organizationHarness();
    await h.handler(event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))), lambdaContext());
    await h.handler(event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a2'))), lambdaContext());
    expect(h.organization.asked.serviceControlPolicies).toEqual([MEMBER_A]);
    expect(h.built).toHaveLength(1);
    expect(h.metrics.total(METRIC.duplicatesSuppressed)).toBe(1);
  });

  it('counts denials and proposals by account (dimension `account`)', async () => {
    const h = organizationHarness();
    await h.handler(
      event(
        memberEnvelope(memberRecord(MEMBER_A, 'evt-a1')),
        memberEnvelope(memberRecord(MEMBER_A, 'evt-a2')),
        memberEnvelope(memberRecord(MEMBER_B, 'evt-b1')),
      ),
      lambdaContext(),
    );
    const byAccount = (name: string, account: string) =>
      h.metrics.dimensioned.countFor(name, ACCOUNT_DIMENSION, account);
    expect(byAccount('DenialsSeen', MEMBER_A)).toBe(2);
    expect(byAccount('DenialsSeen', MEMBER_B)).toBe(1);
    expect(byAccount('ProposalsCreated', MEMBER_A)).toBe(1);
    expect(byAccount('ProposalsCreated', MEMBER_B)).toBe(1);
    expect(h.metrics.total(METRIC.denialsSeen)).toBe(3);
  });
});

describe('organization mode: refused denials are acknowledged, logged with their reason and counted', () => {
  const record = memberRecord(MEMBER_A, 'evt-refused');
  const cases = [
    {
      name: 'a forged envelope account',
      body: memberEnvelope(record, { account: MEMBER_B }),
      reason: 'account-fields-disagree',
      accountId: MEMBER_B,
    },
    {
      name: 'a caller of another account',
      body: memberEnvelope({
        ...record,
        userIdentity: { ...(record['userIdentity'] as object), accountId: MEMBER_B },
      }),
      reason: 'account-fields-disagree',
      accountId: MEMBER_A,
    },
    {
      name: 'a bare record without an envelope',
      body: JSON.stringify(record),
      reason: 'account-fields-disagree',
      accountId: null,
    },
    {
      name: 'an excluded account',
      body: memberEnvelope(memberRecord(EXCLUDED, 'evt-excluded')),
      reason: 'account-excluded',
      accountId: EXCLUDED,
    },
    {
      name: 'an account outside the organization',
      body: memberEnvelope(memberRecord(OUTSIDER, 'evt-outsider')),
      reason: 'account-not-in-organization',
      accountId: OUTSIDER,
    },
    {
      name: 'an account under no enrolled OU',
      body: memberEnvelope(memberRecord(SANDBOXED, 'evt-sandbox')),
      reason: 'account-not-enrolled',
      accountId: SANDBOXED,
    },
  ] as const;

  it.each(cases)('$name', async ({ body, reason, accountId }) => {
    const h = organizationHarness();
    const response = await h.handler(event(body), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(h.access.reads).toEqual([]);
    expect(h.built).toEqual([]);
    expect(h.store.all()).toEqual([]);
    expect(h.notifier.messages).toEqual([]);
    expect(h.metrics.total(REFUSAL_METRIC.total)).toBe(1);
    expect(h.metrics.total(REFUSAL_METRIC.byReason[reason])).toBe(1);
    expect(refusalLines(h).map((line) => [line.attributes['reason'], line.attributes['accountId']])).toEqual([
      [reason, accountId],
    ]);
    // Only an account the organization vouches for gets a per-account metric: a claimed id of a forged
    // or foreign delivery would be a new billed metric for every id an attacker invents.
    const vouched = reason === 'account-excluded' || reason === 'account-not-enrolled';
    expect(h.metrics.dimensioned.countFor('DenialsRefused', ACCOUNT_DIMENSION, accountId ?? '')).toBe(
      vouched && accountId !== null ? 1 : 0,
    );
    expect(h.metrics.dimensioned.countFor('DenialsSeen', ACCOUNT_DIMENSION, accountId ?? '')).toBe(0);
  });

  it('never looks an excluded account up in Organizations', async () => {
    const h = organizationHarness();
    await h.handler(event(memberEnvelope(memberRecord(EXCLUDED, 'evt-excluded'))), lambdaContext());
    expect(h.organization.asked.account).toEqual([]);
  });
});

describe('organization mode: the member role', () => {
  it('missing: a clear refusal (member-role-unavailable), counted and acknowledged', async () => {
    const h = organizationHarness();
    h.access.missingRoles.add(MEMBER_A);
    const response = await h.handler(
      event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(h.store.all()).toEqual([]);
    expect(h.metrics.total(REFUSAL_METRIC.byReason['member-role-unavailable'])).toBe(1);
    const [line] = refusalLines(h);
    expect(line?.level).toBe('warn');
    expect(line?.attributes).toMatchObject({
      reason: 'member-role-unavailable',
      accountId: MEMBER_A,
      detail: expect.stringContaining('NoSuchEntity'),
    });
  });

  it('failing in the middle of the diagnosis (credentials are assumed at the first call): acknowledged too', async () => {
    const denied = new MemberAccessError(MEMBER_A, 'access-denied', 'sts:AssumeRole denied: external id');
    const h = organizationHarness({
      deps: {
        diagnoserFor: () => ({
          diagnose: () => Promise.reject(new TransientAwsError('iam:GetUser failed', { cause: denied })),
        }),
      },
    });
    const response = await h.handler(
      event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(h.store.all()).toEqual([]);
    expect(h.metrics.total(REFUSAL_METRIC.byReason['member-role-unavailable'])).toBe(1);
    expect(h.metrics.dimensioned.countFor('DenialsRefused', ACCOUNT_DIMENSION, MEMBER_A)).toBe(1);
  });

  it('an Organizations failure is not a refusal: the record goes back to SQS', async () => {
    const h = organizationHarness();
    h.organization.failure = new TransientAwsError('organizations:DescribeAccount throttled');
    const response = await h.handler(
      event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(h.metrics.total(REFUSAL_METRIC.total)).toBe(0);
  });

  it('a new incident another container is diagnosing is handed back, not counted as an error', async () => {
    const h = organizationHarness();
    const record = memberRecord(MEMBER_A, 'evt-a1');
    const [outcome] = readDenials(record, 'member');
    if (outcome?.kind !== 'denial') throw new Error('the member record is a denial');
    await h.store.claimDiagnosis(
      incidentKeyOf(outcome.denial),
      h.clock.now(),
      new Date(h.clock.now().getTime() + 60_000),
    );
    const response = await h.handler(event(memberEnvelope(record)), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(h.metrics.total(METRIC.deferredDenials)).toBe(1);
    expect(h.metrics.dimensioned.countFor('Errors', ACCOUNT_DIMENSION, MEMBER_A)).toBe(0);
  });

  it('another failure of the diagnosis is counted as an error of that account and retried', async () => {
    const h = organizationHarness({
      deps: {
        diagnoserFor: () => ({
          diagnose: () => Promise.reject(new TransientAwsError('iam:GetUser throttled')),
        }),
      },
    });
    const response = await h.handler(
      event(memberEnvelope(memberRecord(MEMBER_B, 'evt-b1'))),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(h.metrics.dimensioned.countFor('Errors', ACCOUNT_DIMENSION, MEMBER_B)).toBe(1);
  });
});

describe('single-account mode: the account gate', () => {
  it("refuses a denial recorded in another account: never diagnosed, counted as another account's", async () => {
    const h = harness();
    const other = JSON.parse(JSON.stringify(seedRecord('evt-other')).replaceAll(HUB, OUTSIDER)) as Record<
      string,
      unknown
    >;
    const response = await h.handler(sqsEvent(other), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(h.diagnoser.calls).toBe(0);
    expect(h.store.all()).toEqual([]);
    expect(h.metrics.total(REFUSAL_METRIC.byReason['not-this-account'])).toBe(1);
    expect(refusalLines(h)[0]?.attributes).toMatchObject({ reason: 'not-this-account', accountId: OUTSIDER });
  });

  it('diagnoses its own account’s denials as before, publishing no per-account metrics', async () => {
    const h = harness();
    await h.handler(sqsEvent(seedRecord('evt-own')), lambdaContext());
    expect(h.diagnoser.calls).toBe(1);
    expect(h.metrics.total(METRIC.proposalsCreated)).toBe(1);
    expect(h.metrics.total(REFUSAL_METRIC.total)).toBe(0);
    expect(h.metrics.dimensioned.published).toEqual([]);
  });

  it("takes its own account from the function's ARN", async () => {
    const h = harness();
    const context = {
      ...lambdaContext(),
      invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:${OUTSIDER}:function:diagnose`,
    };
    await h.handler(sqsEvent(seedRecord('evt-own')), context);
    expect(h.diagnoser.calls).toBe(0);
    expect(h.metrics.total(REFUSAL_METRIC.byReason['not-this-account'])).toBe(1);
  });
});

describe('organization mode: OU channels (channelsByOu)', () => {
  const TEAM_TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:workloads-team';
  const ROOT_TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:everyone';

  it("sends the account's message to its nearest OU's channel too", async () => {
    const h = organizationHarness({ channelsByOu: { [ROOT.id]: ROOT_TOPIC, [WORKLOADS.id]: TEAM_TOPIC } });
    await h.handler(event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))), lambdaContext());
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.ouNotifiers.get(TEAM_TOPIC)?.messages).toEqual(h.notifier.messages);
    expect(h.ouNotifiers.has(ROOT_TOPIC)).toBe(false);
  });

  it('falls back to an OU further up, and sends nothing more when no OU of the path has a channel', async () => {
    const up = organizationHarness({ channelsByOu: { [ROOT.id]: ROOT_TOPIC } });
    await up.handler(event(memberEnvelope(memberRecord(MEMBER_B, 'evt-b1'))), lambdaContext());
    expect(up.ouNotifiers.get(ROOT_TOPIC)?.messages).toHaveLength(1);

    const none = organizationHarness({ channelsByOu: { 'ou-ab12-sandbox01': ROOT_TOPIC } });
    await none.handler(event(memberEnvelope(memberRecord(MEMBER_B, 'evt-b1'))), lambdaContext());
    expect(none.notifier.messages).toHaveLength(1);
    expect(none.ouNotifiers.size).toBe(0);
  });

  it("a failing OU channel neither fails the record nor resends the team's message: counted", async () => {
    const h = organizationHarness({
      channelsByOu: { [WORKLOADS.id]: TEAM_TOPIC },
      failingTopics: [TEAM_TOPIC],
    });
    const response = await h.handler(
      event(memberEnvelope(memberRecord(MEMBER_A, 'evt-a1'))),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.metrics.total(OU_CHANNEL_FAILURES)).toBe(1);
  });
});
