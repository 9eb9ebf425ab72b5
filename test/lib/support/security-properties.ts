/**
 * The security properties every template holding a PassRoleRemediation must have, whatever the app
 * around it (cdk.json's feature flags or none at all): checked on the ready app's template by
 * test/lib/security-properties.test.ts, and on a consumer app's template (the packed package installed
 * into test/consumer-app/, no feature flags) by test/consumer-app/check-template.ts in .ci/run.
 *
 * Plain data in, one line per broken property out, so a report names every problem at once.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface SecurityExpectations {
  /** What retainAuditLogs was set to. @default true */
  readonly retainAuditLogs?: boolean;
}

interface Statement {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly Condition?: Record<string, unknown>;
}

/** What the apply function's construct says of itself (test-side copy: a changed text should fail here). */
const APPLY_DESCRIPTION = /^PassRole Doctor: applies an approved proposal/;

/**
 * Service-principal grants that need no condition: CloudTrail reads its bucket's ACL (AWS's own trail
 * bucket policy; nothing is written by it).
 */
const UNCONDITIONED_SERVICE_ACTIONS = new Set(['s3:GetBucketAcl']);

export function securityViolations(template: CfnTemplate, expectations: SecurityExpectations = {}): string[] {
  const retainAuditLogs = expectations.retainAuditLogs ?? true;
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);
  const problems: string[] = [];
  const expect = (ok: boolean, id: string, what: string) => {
    if (!ok) problems.push(`${id}: ${what}`);
  };

  if (ofType('AWS::Lambda::Function').length === 0) problems.push('the template has no function at all');

  // Resource policies: a service is only ever admitted for this stack's own resources.
  for (const [id, resource] of resources) {
    for (const statement of resourcePolicyStatements(resource)) {
      if (statement.Effect !== 'Allow' || !hasServicePrincipal(statement.Principal)) continue;
      const actions = asList(statement.Action);
      if (actions.every((action) => UNCONDITIONED_SERVICE_ACTIONS.has(String(action)))) continue;
      expect(
        Object.keys(statement.Condition ?? {}).length > 0,
        id,
        `admits ${JSON.stringify(statement.Principal)} to ${actions.join(', ')} with no condition`,
      );
    }
  }

  for (const [id, resource] of ofType('AWS::SQS::Queue')) {
    const props = resource.Properties ?? {};
    expect(
      props.KmsMasterKeyId !== undefined || props.SqsManagedSseEnabled === true,
      id,
      'queue is not encrypted',
    );
  }
  for (const [id, resource] of ofType('AWS::SQS::QueuePolicy')) {
    expect(deniesInsecureTransport(resource), id, 'queue policy does not deny requests without TLS');
  }
  for (const [id, resource] of ofType('AWS::SNS::Topic')) {
    expect(resource.Properties?.KmsMasterKeyId !== undefined, id, 'topic is not encrypted with a KMS key');
  }
  for (const [id, resource] of ofType('AWS::SNS::TopicPolicy')) {
    expect(deniesInsecureTransport(resource), id, 'topic policy does not deny requests without TLS');
  }

  for (const [id, resource] of ofType('AWS::S3::Bucket')) {
    const props = resource.Properties ?? {};
    const block = (props.PublicAccessBlockConfiguration ?? {}) as Record<string, unknown>;
    expect(
      ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every(
        (key) => block[key] === true,
      ),
      id,
      'bucket does not block every kind of public access',
    );
    expect(props.AccessControl === undefined, id, `bucket sets an ACL (${String(props.AccessControl)})`);
    expect(props.BucketEncryption !== undefined, id, 'bucket has no default encryption');
    expect(
      JSON.stringify(props.OwnershipControls ?? null).includes('BucketOwnerEnforced'),
      id,
      'bucket does not disable ACLs (ObjectOwnership BucketOwnerEnforced)',
    );
  }
  for (const [id, resource] of ofType('AWS::S3::BucketPolicy')) {
    expect(deniesInsecureTransport(resource), id, 'bucket policy does not deny requests without TLS');
  }

  for (const [id, resource] of ofType('AWS::KMS::Key')) {
    const props = resource.Properties ?? {};
    // Rotation exists for symmetric encryption keys only (the HMAC and signing keys have a KeySpec).
    if (props.KeySpec === undefined || props.KeySpec === 'SYMMETRIC_DEFAULT') {
      expect(props.EnableKeyRotation === true, id, 'symmetric key without automatic rotation');
    }
  }

  for (const [id, resource] of ofType('AWS::DynamoDB::Table')) {
    const props = resource.Properties ?? {};
    expect(
      JSON.stringify(props.SSESpecification ?? null).includes('"SSEEnabled":true'),
      id,
      'table without SSE',
    );
    expect(
      JSON.stringify(props.PointInTimeRecoverySpecification ?? null).includes(
        '"PointInTimeRecoveryEnabled":true',
      ),
      id,
      'table without point-in-time recovery',
    );
  }

  // Identity policies: never a whole service, never a wildcard IAM action (Chatbot's read-only
  // cloudwatch:Describe*/Get*/List* are the only wildcards the product grants).
  for (const [id, resource] of resources) {
    for (const statement of identityPolicyStatements(resource)) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of asList(statement.Action).map(String)) {
        const whole = action === '*' || action.endsWith(':*');
        expect(!whole && !(action.startsWith('iam:') && action.includes('*')), id, `allows ${action}`);
      }
    }
  }

  const logGroups = new Map(ofType('AWS::Logs::LogGroup'));
  for (const [id, resource] of ofType('AWS::Lambda::Function')) {
    const props = resource.Properties ?? {};
    expect(props.Runtime === 'nodejs22.x', id, `runtime is ${String(props.Runtime)}, not nodejs22.x`);
    expect(JSON.stringify(props.TracingConfig ?? null).includes('Active'), id, 'tracing is not active');
    const logGroupId = refOf((props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
    expect(
      logGroupId !== null && logGroups.has(logGroupId),
      id,
      'function does not log to its own log group',
    );
    if (APPLY_DESCRIPTION.test(String(props.Description)) && logGroupId !== null) {
      expectRemoval(logGroupId, logGroups.get(logGroupId), 'the apply function’s log group');
    }
  }
  for (const [id, resource] of logGroups) {
    expect(
      resource.Properties?.RetentionInDays !== undefined,
      id,
      'log group keeps logs forever (no retention)',
    );
  }
  const stages = ofType('AWS::ApiGatewayV2::Stage');
  expect(stages.length > 0, 'template', 'has no approval API stage');
  for (const [id, resource] of stages) {
    const settings = resource.Properties?.AccessLogSettings as { DestinationArn?: unknown } | undefined;
    const logGroupId = getAttOf(settings?.DestinationArn);
    expect(logGroupId !== null, id, 'approval API stage writes no access logs to a log group of the stack');
    if (logGroupId !== null)
      expectRemoval(logGroupId, logGroups.get(logGroupId), 'the approval API’s access logs');
    expect(resource.Properties?.DefaultRouteSettings !== undefined, id, 'approval API stage has no throttle');
  }
  const applyFunctions = ofType('AWS::Lambda::Function').filter(([, resource]) =>
    APPLY_DESCRIPTION.test(String(resource.Properties?.Description)),
  );
  expect(applyFunctions.length === 1, 'template', `has ${applyFunctions.length} apply functions, not 1`);
  return problems;

  function expectRemoval(id: string, resource: CfnResource | undefined, what: string): void {
    const wanted = retainAuditLogs ? 'Retain' : 'Delete';
    expect(
      resource?.DeletionPolicy === wanted && resource.UpdateReplacePolicy === wanted,
      id,
      `${what}: DeletionPolicy ${String(resource?.DeletionPolicy)}, expected ${wanted} (retainAuditLogs ${retainAuditLogs})`,
    );
  }
}

function resourcePolicyStatements(resource: CfnResource): Statement[] {
  const props = resource.Properties ?? {};
  const documents: unknown[] = [];
  if (resource.Type.endsWith('Policy') && !resource.Type.startsWith('AWS::IAM::'))
    documents.push(props.PolicyDocument);
  if (resource.Type === 'AWS::KMS::Key') documents.push(props.KeyPolicy);
  if (resource.Type === 'AWS::DynamoDB::Table') {
    documents.push((props.ResourcePolicy as { PolicyDocument?: unknown } | undefined)?.PolicyDocument);
  }
  return documents.flatMap(statementsOf);
}

function identityPolicyStatements(resource: CfnResource): Statement[] {
  const props = resource.Properties ?? {};
  if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
    return statementsOf(props.PolicyDocument);
  }
  if (resource.Type === 'AWS::IAM::Role') {
    return asList(props.Policies).flatMap((policy) =>
      statementsOf((policy as { PolicyDocument?: unknown }).PolicyDocument),
    );
  }
  return [];
}

function statementsOf(document: unknown): Statement[] {
  if (typeof document !== 'object' || document === null) return [];
  return asList((document as { Statement?: unknown }).Statement) as Statement[];
}

function deniesInsecureTransport(resource: CfnResource): boolean {
  return resourcePolicyStatements(resource).some(
    (statement) =>
      statement.Effect === 'Deny' &&
      JSON.stringify(statement.Condition ?? null) === '{"Bool":{"aws:SecureTransport":"false"}}',
  );
}

function hasServicePrincipal(principal: unknown): boolean {
  return typeof principal === 'object' && principal !== null && 'Service' in principal;
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function refOf(value: unknown): string | null {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : null;
}

function getAttOf(value: unknown): string | null {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : null;
}
