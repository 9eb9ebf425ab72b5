import { SignedApiClient } from '../../../lambda/adapters/aws/signed-api-client';
import { apiUrlFrom, runRemote } from '../../../lambda/handlers/cli/remote-commands';
import type { CliIo } from '../../../lambda/handlers/cli/io';

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
}

function fakeFetch(status: number, body: unknown, seen: Seen[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
    });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
}

async function run(command: Parameters<typeof runRemote>[0], status: number, body: unknown, json = false) {
  const seen: Seen[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await runRemote(
    command,
    { api: API, json },
    io,
    (url) => new SignedApiClient(url, { credentials, fetch: fakeFetch(status, body, seen) }),
  );
  return { code, out, err, seen };
}

describe('the IAM-signed approval commands', () => {
  it('signs with SigV4 for execute-api in the API region', async () => {
    const { code, seen } = await run({ kind: 'approve', proposalId: 'p-1' }, 200, {
      message: 'approved; applying',
    });
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe(`${API}/iam/proposals/p-1/approve`);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
  });

  it('lists pending proposals', async () => {
    const proposals = [
      {
        id: 'p-1',
        policyName: 'AllowPassXToGlue',
        target: { type: 'group', name: 'GlueAccess' },
        expiresAt: '2026-06-20T00:00:00Z',
        summary: 'mei may not pass x',
      },
    ];
    const text = await run({ kind: 'proposals' }, 200, { proposals });
    expect(text.out.join('\n')).toContain(
      'p-1  AllowPassXToGlue on group GlueAccess  expires 2026-06-20T00:00:00Z',
    );
    const json = await run({ kind: 'proposals' }, 200, proposals, true);
    expect(json.out.map((line) => JSON.parse(line))).toEqual(proposals);
  });

  it('names the account of each proposal in organization mode, one line whatever its name holds', async () => {
    const item = (name: string) => ({
      id: 'p-1',
      policyName: 'AllowPassXToGlue',
      target: { type: 'group', name: 'GlueAccess' },
      expiresAt: '2026-06-20T00:00:00Z',
      summary: 'mei may not pass x',
      organizationAccount: {
        id: '123456789012',
        name,
        ouPath: [
          { id: 'r-ab12', name: 'Root' },
          { id: 'ou-ab12-aaaaaaaa', name: 'Workloads' },
        ],
      },
    });
    const plain = await run({ kind: 'proposals' }, 200, { proposals: [item('data-prod')] });
    expect(plain.out).toEqual([
      'p-1  AllowPassXToGlue on group GlueAccess  expires 2026-06-20T00:00:00Z\n    account data-prod (123456789012) in Root / Workloads\n    mei may not pass x',
    ]);
    const hostile = await run({ kind: 'proposals' }, 200, {
      proposals: [item('prod\np-2  FakeLine\u001b[2J\u202egnp')],
    });
    const lines = hostile.out.join('\n').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      '    account prod\\u000ap-2  FakeLine\\u001b[2J\\u202egnp (123456789012) in Root / Workloads',
    );
  });

  it('reports a refusal in one line with the API message, exit 2 for 4xx', async () => {
    const { code, err } = await run({ kind: 'reject', proposalId: 'p-1' }, 409, {
      message: 'already approved by arn:aws:iam::1:user/x',
    });
    expect(code).toBe(2);
    expect(err).toEqual([
      'passrole-doctor: reject p-1 refused (409): already approved by arn:aws:iam::1:user/x',
    ]);
  });

  it('reports an approval whose apply follows later (202) as done, with the note', async () => {
    const { code, out, err } = await run({ kind: 'approve', proposalId: 'p-1' }, 202, {
      proposal: { id: 'p-1', status: 'approved' },
      note: 'approved; the apply step could not be started right now; it is started again automatically',
    });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      'Approved p-1: approved; the apply step could not be started right now; it is started again automatically',
    ]);
  });

  it('reports the first of two approvals as recorded, not as approved', async () => {
    const { code, out } = await run({ kind: 'approve', proposalId: 'p-1' }, 202, {
      proposal: { id: 'p-1', status: 'pending' },
      note: 'The first of two approvals is recorded (arn:aws:iam::1:user/x).',
      approvalsNeeded: 2,
    });
    expect(code).toBe(0);
    expect(out).toEqual([
      'Recorded your approval of p-1: The first of two approvals is recorded (arn:aws:iam::1:user/x).',
    ]);
  });

  it('refuses a malformed id before calling anything', async () => {
    const { code, seen, err } = await run({ kind: 'approve', proposalId: '../../admin' }, 200, {});
    expect(code).toBe(2);
    expect(seen).toEqual([]);
    expect(err[0]).toContain('not a proposal id');
  });

  it('needs an https API URL', () => {
    expect(() => apiUrlFrom(undefined, {})).toThrow(/--api or PASSROLE_DOCTOR_API_URL/);
    expect(() => apiUrlFrom('http://example.com', {})).toThrow(/must be https/);
    expect(apiUrlFrom(undefined, { PASSROLE_DOCTOR_API_URL: API }).hostname).toBe(
      'abc123.execute-api.eu-west-1.amazonaws.com',
    );
  });
});

describe('SignedApiClient deadline', () => {
  /** A fetch that never answers, as a hung connection: it ends only when its signal aborts. */
  const hangingFetch = (async (_input: string | URL | Request, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
    })) as typeof fetch;

  it('gives up on an API that never answers with one clear line, worth retrying', async () => {
    const client = new SignedApiClient(new URL(API), { credentials, fetch: hangingFetch, timeoutMs: 50 });
    await expect(client.request('GET', '/iam/proposals')).rejects.toMatchObject({
      name: 'TransientAwsError',
      message: 'cannot reach abc123.execute-api.eu-west-1.amazonaws.com: no answer within 0.05 s',
    });
  });

  it('says why when the connection itself fails', async () => {
    const refusing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const client = new SignedApiClient(new URL(API), { credentials, fetch: refusing });
    await expect(client.request('GET', '/iam/proposals')).rejects.toMatchObject({
      name: 'TransientAwsError',
      message: 'cannot reach abc123.execute-api.eu-west-1.amazonaws.com: fetch failed',
    });
  });
});
