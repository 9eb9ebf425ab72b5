/**
 * `passrole-doctor diagnose` live against a real IAM emulator: the seed's account is created in
 * moto_server through the SDK, then the CLI reads it with its own AWS adapters (AWS_ENDPOINT_URL)
 * and simulates with the local simulator, since moto has no SimulatePrincipalPolicy.
 */
import { PutGroupPolicyCommand } from '@aws-sdk/client-iam';
import { join } from 'node:path';
import { runCli } from '../../lambda/handlers/cli/main';
import type { CliIo } from '../../lambda/handlers/cli/io';
import { createMotoClients, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { seedGlueAccount } from './support/seed-account';

const SEED_EVENT = join(__dirname, '../../examples/seed/denial.json');

async function diagnoseLive(): Promise<{ code: number; reports: Record<string, unknown>[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
  const code = await runCli(['diagnose', '--event', SEED_EVENT, '--simulator', 'local', '--json'], io);
  return { code, reports: out.map((line) => JSON.parse(line) as Record<string, unknown>), err };
}

describe('diagnose, live against moto_server', () => {
  let clients: MotoClients;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    process.env.AWS_ENDPOINT_URL = motoEndpoint();
  });

  afterAll(() => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    clients.destroy();
  });

  it("reads the account from the emulator (AWS's real AWSGlueConsoleFullAccess) and proposes the seed's fix", async () => {
    const { code, reports, err } = await diagnoseLive();
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const [report] = reports as [
      { verdict: string; findings: { kind: string; message: string }[]; proposal: Record<string, unknown> },
    ];
    expect(report.verdict).toBe('explicitDeny');
    // AWS's document has two Glue PassRole statements: AWSGlueServiceRole* and service-role/AWSGlueServiceRole*.
    expect(report.findings.map((finding) => finding.kind)).toEqual([
      'explicit-deny',
      'beneath-deny',
      'near-miss',
      'near-miss',
    ]);
    expect(report.findings[2]?.message).toContain(
      'AWSGlueConsoleFullAccess (on group/GlueAccess) allows iam:PassRole only on arn:aws:iam::*:role/AWSGlueServiceRole*',
    );
    expect(report.proposal).toMatchObject({
      target: { type: 'group', name: 'GlueAccess', memberCount: 2 },
      policyName: 'AllowPassEtlNightlyRuntimeToGlue',
      verified: true,
    });
  });

  it('once the proposal is applied in IAM, the same denial diagnoses as allowed', async () => {
    const before = (await diagnoseLive()).reports[0] as {
      proposal: { target: { name: string }; policyName: string; document: unknown };
    };
    await clients.iam.send(
      new PutGroupPolicyCommand({
        GroupName: before.proposal.target.name,
        PolicyName: before.proposal.policyName,
        PolicyDocument: JSON.stringify(before.proposal.document),
      }),
    );
    const after = await diagnoseLive();
    // The event itself had no MFA, so the MFA deny still stands; beneath it the request is now allowed.
    expect(after.reports[0]).toMatchObject({ verdict: 'explicitDeny', proposal: null });
    expect(String((after.reports[0] as { summary: string }).summary)).toContain('retry with MFA present');
  });
});
