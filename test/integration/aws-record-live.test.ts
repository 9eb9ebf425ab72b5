/**
 * AWS's own record of a denial, end to end through the CLI's live mode: the seed's account in
 * moto_server, the seed denial with the authorization-ID tail AWS now appends, and IAM Toolbox served
 * by the loopback fake of the service model (moto has no IAM Toolbox; the fake checks each request's
 * SigV4 signature and each response against service-2.json). What is real: the denial reader, the
 * IamToolboxRecordReader as the CLI wires it (AWS_ENDPOINT_URL_IAM_TOOLBOX), the targeted reader on
 * moto, the diagnosis and the JSON report.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../lambda/handlers/cli/main';
import type { CliIo } from '../../lambda/handlers/cli/io';
import { FAKE_CREDENTIALS, FakeIamToolbox } from '../support/iam-toolbox/fake-iam-toolbox';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { seedGlueAccount } from './support/seed-account';

const SEED_EVENT = join(__dirname, '../../examples/seed/denial.json');
const REGION = 'ap-northeast-1';
const ID = 'a1b2c3d4e5f6g7h8i9j0';
const MEI = `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/mei.tanaka`;
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/etl-nightly-runtime`;
const DEVELOPERS = `arn:aws:iam::${MOTO_ACCOUNT_ID}:group/Developers`;
const TAIL = `. Go to https://${REGION}.console.aws.amazon.com/iam/home?region=${REGION}#/authorization-details/${ID} for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${ID}`;

type Report = {
  denial: { authorizationId: string | null; authorizationRegion: string | null };
  findings: { kind: string; message: string; policy: string | null; statement: string | null }[];
  proposal: { verified: boolean } | null;
};

/** The seed event with AWS's authorization-ID tail on its message. */
function eventWithTail(directory: string): string {
  // The seed is one bare CloudTrail record.
  const record = JSON.parse(readFileSync(SEED_EVENT, 'utf8')) as Record<string, unknown>;
  record['errorMessage'] = `${String(record['errorMessage'])}${TAIL}`;
  const path = join(directory, 'denial-with-authorization-id.json');
  writeFileSync(path, JSON.stringify(record));
  return path;
}

describe("AWS's record of the denial, live through the CLI", () => {
  let clients: MotoClients;
  let toolbox: FakeIamToolbox;
  let directory: string;
  let event: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    toolbox = new FakeIamToolbox({ region: REGION });
    const endpoint = await toolbox.start();
    directory = mkdtempSync(join(tmpdir(), 'aws-record-'));
    event = eventWithTail(directory);
    // moto takes any credentials; the fake checks signatures made with its own.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_ENDPOINT_URL_IAM_TOOLBOX: endpoint.toString(),
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    });
  });

  afterAll(async () => {
    for (const name of [
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_IAM_TOOLBOX',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ]) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
    await toolbox.stop();
    rmSync(directory, { recursive: true, force: true });
    clients.destroy();
  });

  async function diagnose(): Promise<{ code: number; report: Report; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
    const code = await runCli(['diagnose', '--event', event, '--simulator', 'local', '--json'], io);
    return { code, report: JSON.parse(out[0] ?? 'null') as Report, err };
  }

  it("names AWS's matched statement, quoted from the account's own inline policy, signed for its region", async () => {
    toolbox.put(ID, {
      requestContext: { 'aws:PrincipalArn': MEI, 'aws:MultiFactorAuthPresent': 'false' },
      evaluations: [
        {
          action: 'iam:PassRole',
          resource: ROLE,
          evaluatedEffect: 'EXPLICIT_DENY',
          matchedPolicies: [
            {
              uri: 'inline-0001',
              matchedStatements: [{ sid: 'DenyAllExceptListedIfNoMFA', evaluatedEffect: 'DENY' }],
            },
          ],
        },
      ],
      policies: [
        {
          type: 'IDENTITY_BASED_POLICY',
          inline: true,
          uri: 'inline-0001',
          attachedTo: [{ arn: DEVELOPERS }],
        },
      ],
    });
    const { code, report, err } = await diagnose();
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(report.denial).toMatchObject({ authorizationId: ID, authorizationRegion: REGION });
    const record = report.findings.find((finding) => finding.kind === 'aws-record');
    expect(record).toMatchObject({ statement: 'DenyAllExceptListedIfNoMFA' });
    expect(record?.message).toContain('RequireMFA');
    // AWS and the simulation agree: no disagreement, and the proposal beneath the MFA deny stands.
    expect(report.findings.map((finding) => finding.kind)).not.toContain('aws-evaluation');
    expect(report.proposal).toMatchObject({ verified: true });
    expect(toolbox.requests).toHaveLength(1);
    expect(toolbox.requests[0]).toMatchObject({ region: REGION, service: 'iam', signatureValid: true });
    expect(toolbox.violations).toEqual([]);
  });

  it('a record of another request (a forged event carrying a real ID) is never evidence', async () => {
    toolbox.put(ID, {
      requestContext: { 'aws:PrincipalArn': `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/someone-else` },
      evaluations: [
        { action: 'iam:PassRole', resource: ROLE, evaluatedEffect: 'IMPLICIT_DENY', matchedPolicies: [] },
      ],
      policies: [],
    });
    const { code, report } = await diagnose();
    expect(code).toBe(0);
    const kinds = report.findings.map((finding) => finding.kind);
    expect(kinds).toContain('aws-record-mismatch');
    expect(kinds).not.toContain('aws-record');
    expect(toolbox.violations).toEqual([]);
  });

  it('an expired record is noted and the diagnosis goes on without it', async () => {
    toolbox.failNext('ResourceNotFoundException');
    const { code, report } = await diagnose();
    expect(code).toBe(0);
    expect(report.findings.find((finding) => finding.kind === 'aws-record-unavailable')?.message).toContain(
      ID,
    );
    expect(report.proposal).toMatchObject({ verified: true });
  });
});
