/**
 * Organizations' JSON 1.1 API on moto, for seeding and reading the organization in tests.
 * @aws-sdk/client-organizations is not installed; moto checks no signature, so the request carries
 * only what moto routes on: the credential scope's service (and the access key, which picks the
 * account of an assumed-role session) and X-Amz-Target.
 */
import type { AwsCredentialIdentity } from '@aws-sdk/types';

const TARGET_PREFIX = 'AWSOrganizationsV20161128';

export class OrganizationsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation}: ${code}: ${message}`);
    this.name = 'OrganizationsCallError';
  }
}

export class OrganizationsJsonClient {
  constructor(
    private readonly endpoint: string,
    private readonly credentials: AwsCredentialIdentity,
    private readonly accountHeader: string | null,
  ) {}

  async call<Output = Record<string, unknown>>(operation: string, input: object = {}): Promise<Output> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX}.${operation}`,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/20260101/us-east-1/organizations/aws4_request, ` +
        'SignedHeaders=host, Signature=0',
    };
    if (this.credentials.sessionToken !== undefined)
      headers['x-amz-security-token'] = this.credentials.sessionToken;
    if (this.accountHeader !== null) headers['x-moto-account-id'] = this.accountHeader;
    const response = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers,
      body: JSON.stringify(input),
    });
    const text = await response.text();
    const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    if (!response.ok) {
      const code =
        String(body['__type'] ?? response.status)
          .split('#')
          .pop() ?? '';
      throw new OrganizationsCallError(operation, code, String(body['message'] ?? body['Message'] ?? text));
    }
    return body as Output;
  }
}
