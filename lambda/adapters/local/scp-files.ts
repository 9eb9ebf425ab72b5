import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InvalidInputError } from '../../core/errors';
import type { PolicyDocument } from '../../core/model';

/** A service control policy in force for the account. */
export interface ServiceControlPolicy {
  name: string;
  document: PolicyDocument;
}

/**
 * Reads SCP files, in order (root first). Each file holds either the policy document itself or the
 * output of `aws organizations describe-policy` (whose Content is the document as a JSON string).
 * The policy is named by the describe-policy name, else by the file name without its extension.
 */
export async function loadScpFiles(paths: string[]): Promise<ServiceControlPolicy[]> {
  return Promise.all(paths.map(loadScpFile));
}

async function loadScpFile(path: string): Promise<ServiceControlPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`Cannot read SCP file ${path}: ${reasonOf(error)}`, path, { cause: error });
  }
  const parsed = parseJson(text, path, 'SCP file');
  const fallbackName = basename(path, extname(path));

  const described = describedPolicy(parsed);
  if (described) {
    const document = asPolicyDocument(parseJson(described.content, path, 'Policy.Content of SCP file'), path);
    return { name: described.name ?? fallbackName, document };
  }
  return { name: fallbackName, document: asPolicyDocument(parsed, path) };
}

function parseJson(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${what} ${path} is not JSON: ${reasonOf(error)}`, path, { cause: error });
  }
}

/** The `{ Policy: { PolicySummary: { Name }, Content } }` shape of describe-policy output. */
function describedPolicy(value: unknown): { name: string | undefined; content: string } | null {
  if (!isRecord(value) || !isRecord(value.Policy)) return null;
  const { Content: content, PolicySummary: summary } = value.Policy;
  if (typeof content !== 'string') return null;
  const name = isRecord(summary) && typeof summary.Name === 'string' ? summary.Name : undefined;
  return { name, content };
}

function asPolicyDocument(value: unknown, path: string): PolicyDocument {
  if (!isRecord(value)) {
    throw new InvalidInputError(`SCP file ${path} does not hold a policy document (a JSON object)`, path);
  }
  const statements = Array.isArray(value.Statement) ? value.Statement : [value.Statement];
  if (value.Statement === undefined || statements.length === 0) {
    throw new InvalidInputError(`SCP file ${path} has no Statement`, path);
  }
  statements.forEach((statement: unknown, index) => {
    if (!isRecord(statement) || (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')) {
      throw new InvalidInputError(
        `SCP file ${path}: statement ${index} needs an Effect of "Allow" or "Deny"`,
        `${path}#Statement[${index}]`,
      );
    }
  });
  // Shape checked above; iam-simulate validates the rest of the grammar when it simulates.
  return value as unknown as PolicyDocument;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
