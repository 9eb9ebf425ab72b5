/**
 * The apply handler with Identity Center wired in (`identityCenter`): a permission set applied in the
 * function's time, and a provisioning that outlasts it returned for the reconciler, not retried by
 * Lambda (the handler does not throw).
 */
import { createApplyHandler, APPLY_METRIC } from '../../../lambda/handlers/apply/handler';
import { findStalledApplies } from '../../../lambda/core/apply/reconcile';
import { diagnosedSeedRecord, PROPOSAL_ID } from '../../core/apply/seed-apply';
import { STSClient } from '@aws-sdk/client-sts';
import {
  hubIdentityCenterAccess,
  identityCenterApplyOf,
} from '../../../lambda/handlers/identity-center-access';
import { ACCOUNT } from '../../core/apply/seed-apply';
import {
  MANAGEMENT_ACCOUNT,
  permissionSetApproved,
  permissionSetWorld,
  PS_SETTINGS,
} from '../../core/apply/permission-set/world';
import { lambdaContext, RecordingLogger, RecordingMetrics } from '../diagnose/support';

function handlerOf(world: ReturnType<typeof permissionSetWorld>) {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const { settings: _settings, clock, sleep, ...ports } = world.deps;
  const handler = createApplyHandler({
    ...ports,
    logger,
    metrics,
    clock,
    sleep,
    settings: { ...PS_SETTINGS, accountId: null, organization: true },
  });
  return { handler, logger, metrics };
}

describe('apply handler, permission sets', () => {
  it('applies a permission set through Identity Center', async () => {
    const world = permissionSetWorld(permissionSetApproved(await diagnosedSeedRecord()));
    const { handler, metrics } = handlerOf(world);
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(240_000))).resolves.toBe(
      'applied-verified',
    );
    expect(world.ic.provisions).toHaveLength(1);
    expect(metrics.total(APPLY_METRIC.verified)).toBe(1);
  });

  it('returns a provisioning still in progress within the function’s time, for the reconciler', async () => {
    const world = permissionSetWorld(permissionSetApproved(await diagnosedSeedRecord()));
    world.ic.script.push({ states: ['IN_PROGRESS'] });
    const { handler, metrics, logger } = handlerOf(world);
    // 40 s left: 20 s for the waits, 20 s kept for storing and telling.
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(40_000))).resolves.toBe('provisioning');
    expect(world.time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(20_000);
    expect(metrics.total(APPLY_METRIC.provisioning)).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ attributes: expect.objectContaining({ requestId: 'request-1' }) }),
    );
    // The lease is given back: the reconciler finds it due once its grace has passed.
    world.time.advance(600_000);
    const stalled = await findStalledApplies(world.store, world.time.clock(), {
      graceMs: 60_000,
      announceWithinMs: 86_400_000,
      limitPerStatus: 10,
    });
    expect(stalled).toEqual([{ proposalId: PROPOSAL_ID, status: 'approved', reason: 'apply-died' }]);
  });
});

describe('apply handler, Identity Center access as the apply function builds it', () => {
  /**
   * hubIdentityCenterAccess with the in-memory Identity Center as its adapters: the session's clients
   * are made but never called (the fake adapters ignore them), so no STS call happens.
   */
  function wiredWorld(administration: 'management' | 'delegated', provisionedTo: string[] = [ACCOUNT]) {
    const world = permissionSetWorld(permissionSetApprovedRecord, { provisionedTo });
    const writersFor: string[] = [];
    const managementReads: string[] = [];
    const access = hubIdentityCenterAccess({
      sts: new STSClient({ region: 'us-east-1' }),
      hubFunction: 'apply',
      externalId: 'external-id',
      hubRegion: 'us-east-1',
      settings: {
        region: 'us-east-1',
        accountId: administration === 'management' ? MANAGEMENT_ACCOUNT : '555555555555',
        instanceArn: null,
      },
      managementAccountId: () => {
        managementReads.push('DescribeOrganization');
        return Promise.resolve(MANAGEMENT_ACCOUNT);
      },
      adapters: {
        reader: () => world.ic,
        writer: () => {
          writersFor.push('apply role session');
          return world.ic;
        },
      },
    });
    const identityCenter = identityCenterApplyOf(access);
    const { handler } = handlerOf({ ...world, deps: { ...world.deps, identityCenter } });
    return { world, handler, writersFor, managementReads };
  }

  let permissionSetApprovedRecord: Awaited<ReturnType<typeof diagnosedSeedRecord>>;
  beforeEach(async () => {
    permissionSetApprovedRecord = permissionSetApproved(await diagnosedSeedRecord());
  });

  it('applies through the access’s writer, made for the decision’s approver', async () => {
    const { world, handler, writersFor, managementReads } = wiredWorld('management');
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(240_000))).resolves.toBe(
      'applied-verified',
    );
    expect(world.ic.provisions).toHaveLength(1);
    expect(writersFor).toHaveLength(1);
    expect(managementReads).toEqual(['DescribeOrganization']);
  });

  it('refuses a set provisioned to the management account when the access is a delegated administrator', async () => {
    const { world, handler } = wiredWorld('delegated', [ACCOUNT, MANAGEMENT_ACCOUNT]);
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(240_000))).resolves.toBe('refused');
    expect(world.ic.provisions).toHaveLength(0);
    expect(JSON.stringify(world.store.peek(PROPOSAL_ID)?.history.at(-1))).toContain(
      'is administered from the delegated administrator 555555555555',
    );
  });

  it('a diagnose or approval access (no writer) is not an apply’s', () => {
    const access = hubIdentityCenterAccess({
      sts: new STSClient({ region: 'us-east-1' }),
      hubFunction: 'approval',
      externalId: 'external-id',
      hubRegion: 'us-east-1',
      settings: { region: 'us-east-1', accountId: MANAGEMENT_ACCOUNT, instanceArn: null },
      managementAccountId: () => Promise.resolve(MANAGEMENT_ACCOUNT),
      adapters: { reader: () => ({}) as never, writer: () => ({}) as never },
    });
    expect(() => identityCenterApplyOf(access)).toThrow('only the apply function has one');
  });
});
