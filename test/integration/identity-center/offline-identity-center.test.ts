/**
 * The offline CLI path for Identity Center (issue 14): member A's account snapshot (`snapshot --out`)
 * and the instance's Identity Center snapshot (`snapshot --identity-center`) are taken from the moto
 * world by the functions behind those commands and written as they write them; then
 * `diagnose --snapshot A.json --identity-center IC.json --json` (the command's own runDiagnose)
 * proposes the same change as the live diagnosis of the hub: the target (set, instance, provisioned
 * accounts, blast radius), the statement merged, the permission set ARN and the definition hash.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeAccountSnapshot } from '../../../lambda/adapters/aws/account-snapshot';
import { takeIdentityCenterSnapshot } from '../../../lambda/adapters/aws/identity-center/identity-center-snapshot';
import { SsoAdminIdentityCenterReader } from '../../../lambda/adapters/aws/identity-center/sso-admin-reader';
import { toJsonReport } from '../../../lambda/core/render/json-report';
import { runDiagnose } from '../../../lambda/handlers/cli/diagnose-command';
import { identityCenterDenial, productLoop } from './support/identity-center-loop';
import { startIdentityCenterOnMoto, type IdentityCenterOnMoto } from './support/identity-center-on-moto';

describe('diagnose --snapshot --identity-center: the offline diagnosis proposes what the live one does', () => {
  let world: IdentityCenterOnMoto;
  let dir: string;

  beforeAll(async () => {
    world = await startIdentityCenterOnMoto();
    dir = await mkdtemp(join(tmpdir(), 'passrole-doctor-ic-offline-'));
  });

  afterAll(async () => {
    await world.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('merges the same statement into the same set, with the same definition hash and reach', async () => {
    const { organization } = world.deployment;
    const memberA = organization.memberA.id;
    const set = world.identityCenter.sets.dataEngineers;
    await world.fake.seedProvisioned(
      organization.managementAccountId,
      world.identityCenter.instanceArn,
      set.arn,
      memberA,
    );
    const record = identityCenterDenial(world, set, 'ic-offline');

    // Live: the hub's diagnose function, through the read roles.
    const loop = await productLoop(world, {
      administration: { kind: 'management', accountId: organization.managementAccountId },
      approverArn: `arn:aws:iam::${organization.hub.id}:user/security.lead`,
      applyBudgetMs: 30_000,
    });
    await loop.forgetIncidents();
    const live = await loop.propose(record);
    if (live.kind !== 'proposed') throw new Error('the live diagnosis proposed nothing');

    // Offline: the two snapshots, as the snapshot commands write them.
    const account = await takeAccountSnapshot(world.deployment.clients(memberA).iam);
    const accountFile = join(dir, 'member-a.json');
    await writeFile(accountFile, `${JSON.stringify(account.details, null, 2)}\n`, 'utf8');
    const { sso, identityStore, instanceArn } = world.identityCenter;
    const identityCenter = await takeIdentityCenterSnapshot(
      new SsoAdminIdentityCenterReader(sso, identityStore, { instanceArn }),
    );
    const identityCenterFile = join(dir, 'identity-center.json');
    await writeFile(identityCenterFile, `${JSON.stringify(identityCenter, null, 2)}\n`, 'utf8');
    const eventFile = join(dir, 'denial.json');
    await writeFile(eventFile, JSON.stringify(record), 'utf8');

    const out: string[] = [];
    const err: string[] = [];
    const exit = await runDiagnose(
      {
        event: eventFile,
        snapshot: accountFile,
        identityCenter: identityCenterFile,
        scp: [],
        simulator: 'local',
        json: true,
        all: false,
      },
      { out: (text) => out.push(text), err: (text) => err.push(text) },
    );
    expect({ exit, err }).toEqual({ exit: 0, err: [] });
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0] ?? '{}') as {
      outcome: string;
      findings: unknown[];
      proposal: {
        target: Record<string, unknown>;
        document: unknown;
        policyName: string;
        verified: boolean;
        blastRadius: unknown;
      };
    };
    expect(report.outcome).toBe('proposed');

    const { target } = live.proposal;
    expect(target.permissionSetArn).toBe(set.arn);
    expect(target.definitionHash).toMatch(/^[0-9a-f]{64}$/);
    // The same change: set, instance, ARN, hash, accounts, reach, and the statement merged.
    expect(report.proposal.target).toEqual({
      type: 'permission-set',
      name: set.name,
      arn: null,
      memberCount: target.memberCount,
      instanceArn: target.instanceArn,
      permissionSetArn: target.permissionSetArn,
      blastRadius: target.blastRadius,
      provisionedAccounts: target.provisionedAccounts,
      definitionHash: target.definitionHash,
    });
    expect(report.proposal.document).toEqual(live.proposal.document);
    expect(report.proposal.policyName).toBe(live.proposal.record.proposal?.policyName);
    expect(report.proposal.blastRadius).toEqual(live.proposal.blastRadius);
    // The same findings, the set's merge state among them, in the same words.
    expect(report.findings).toEqual(toJsonReport(live.proposal.record.diagnosis)['findings']);
    expect(JSON.stringify(report.findings)).toContain(
      `The statement is merged into the inline policy of permission set ${set.name}, then the set is provisioned to account`,
    );
    // Verified offline as the set would be provisioned to member A, as live.
    expect(report.proposal.verified).toBe(true);
    expect(live.proposal.verified).toBe(true);
  });
});
