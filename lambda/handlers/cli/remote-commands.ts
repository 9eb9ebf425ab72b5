import { SignedApiClient, type ApiResponse } from '../../adapters/aws/signed-api-client';
import { describeInvalidInput, InvalidInputError, PassRoleDoctorError } from '../../core/errors';
import { accountLine } from '../../core/render/account-label';
import { terminalSafe } from '../../core/render/text-report';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, type CliIo } from './io';

/** The approval API's base URL: --api, else PASSROLE_DOCTOR_API_URL (the stack's ApprovalApiUrl output). */
export function apiUrlFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): URL {
  const value = option ?? env['PASSROLE_DOCTOR_API_URL'];
  if (!value) {
    throw new InvalidInputError('give the approval API URL with --api or PASSROLE_DOCTOR_API_URL', '--api');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new InvalidInputError(`not a URL: ${value}`, '--api', { cause: error });
  }
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new InvalidInputError('the approval API must be https', '--api');
  }
  return url;
}

interface ProposalSummary {
  id?: unknown;
  createdAt?: unknown;
  expiresAt?: unknown;
  summary?: unknown;
  policyName?: unknown;
  target?: { type?: unknown; name?: unknown };
  organizationAccount?: unknown;
}

/**
 * Organization mode: `account data-prod (111122223333) in Root / Workloads`, from the list route's
 * organizationAccount; null when the item has none or it is not the shape the route writes.
 */
function accountOfItem(item: ProposalSummary): string | null {
  const value = item.organizationAccount;
  if (typeof value !== 'object' || value === null) return null;
  const { id, name, ouPath } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof name !== 'string' || !Array.isArray(ouPath)) return null;
  const units = ouPath.map((unit: unknown) =>
    typeof unit === 'object' && unit !== null ? (unit as Record<string, unknown>)['name'] : undefined,
  );
  if (!units.every((unit): unit is string => typeof unit === 'string')) return null;
  return oneLine(accountLine({ id, name, ouPath: units.map((unit) => ({ id: '', name: unit })) }));
}

/**
 * Names chosen in Organizations, for one terminal line: line breaks and bidi overrides would let a
 * hostile name fake another listing line or reorder it, so they are shown as escapes too.
 */
const LINE_BREAKS_AND_BIDI = /[\n\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
function oneLine(text: string): string {
  return terminalSafe(text).replace(
    LINE_BREAKS_AND_BIDI,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function errorText(response: ApiResponse): string {
  const body = response.body;
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    return String(record['message'] ?? record['note'] ?? record['error'] ?? JSON.stringify(body));
  }
  return String(body).slice(0, 200);
}

export type RemoteCommand = { kind: 'proposals' } | { kind: 'approve' | 'reject'; proposalId: string };

/**
 * `passrole-doctor proposals | approve <id> | reject <id>`: the IAM-authenticated routes, signed
 * with the caller's credentials so the approver's ARN is recorded.
 */
export async function runRemote(
  command: RemoteCommand,
  options: { api?: string; json: boolean },
  io: CliIo,
  makeClient: (url: URL) => SignedApiClient = (url) => new SignedApiClient(url),
): Promise<number> {
  try {
    const client = makeClient(apiUrlFrom(options.api));
    if (command.kind === 'proposals') {
      io.progress?.('passrole-doctor: listing proposals (the approval API)...');
      const response = await client.request('GET', 'iam/proposals');
      io.progress?.(null);
      if (response.status !== 200) {
        io.err(
          `passrole-doctor: listing proposals failed (${response.status}): ${terminalSafe(errorText(response))}`,
        );
        return EXIT_FAILURE;
      }
      const body = response.body as ProposalSummary[] | { proposals?: ProposalSummary[] } | null;
      const items = Array.isArray(body) ? body : (body?.proposals ?? []);
      if (options.json) {
        for (const item of items) io.out(JSON.stringify(item));
      } else if (items.length === 0) {
        io.out('No pending proposals.');
      } else {
        for (const item of items) {
          const account = accountOfItem(item);
          io.out(
            terminalSafe(
              `${String(item.id)}  ${String(item.policyName)} on ${String(item.target?.type)} ${String(item.target?.name)}  expires ${String(item.expiresAt)}${account === null ? '' : `\n    account ${account}`}\n    ${String(item.summary)}`,
            ),
          );
        }
      }
      return EXIT_OK;
    }
    if (!/^[A-Za-z0-9-]{1,64}$/.test(command.proposalId)) {
      throw new InvalidInputError(`not a proposal id: ${command.proposalId}`, command.kind);
    }
    io.progress?.(`passrole-doctor: sending ${command.kind} ${command.proposalId} (the approval API)...`);
    const response = await client.request('POST', `iam/proposals/${command.proposalId}/${command.kind}`);
    io.progress?.(null);
    if (options.json) io.out(JSON.stringify({ status: response.status, body: response.body }));
    // 202: approved, its apply to follow (it could not be started right now), or the first of two
    // approvals recorded (the body says `approvalsNeeded`).
    if (response.status === 200 || response.status === 202) {
      const firstOfTwo =
        typeof response.body === 'object' && response.body !== null && 'approvalsNeeded' in response.body;
      const done = firstOfTwo
        ? 'Recorded your approval of'
        : command.kind === 'approve'
          ? 'Approved'
          : 'Rejected';
      if (!options.json) io.out(terminalSafe(`${done} ${command.proposalId}: ${errorText(response)}`));
      return EXIT_OK;
    }
    io.err(
      `passrole-doctor: ${command.kind} ${command.proposalId} refused (${response.status}): ${terminalSafe(errorText(response))}`,
    );
    return response.status >= 400 && response.status < 500 ? EXIT_BAD_INPUT : EXIT_FAILURE;
  } catch (error) {
    if (error instanceof InvalidInputError) {
      io.err(`passrole-doctor: ${describeInvalidInput(error)}`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof PassRoleDoctorError) {
      io.err(`passrole-doctor: ${error.message}`);
      return EXIT_FAILURE;
    }
    io.err(`passrole-doctor: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return EXIT_FAILURE;
  }
}
