/**
 * Every resource-based policy a synthesized template deploys, with the ARN of the resource it guards,
 * resolved to concrete values: topic, queue, key, table and event bus policies, the functions'
 * permissions (Lambda builds one policy from its AWS::Lambda::Permission resources), and the roles'
 * trust policies. Also the roles' identity policies, for the cases about what a function may do.
 */
import { IntrinsicResolver, type CfnTemplate, type Json } from './cfn-intrinsics';

export type PolicyDocument = { Version?: string; Statement: Statement[] };
export type Statement = Record<string, Json>;

export type ResourcePolicyKind =
  'topic' | 'queue' | 'key' | 'table' | 'event-bus' | 'function' | 'trust' | 'secret' | 'bucket';

export interface ResourcePolicy {
  kind: ResourcePolicyKind;
  /** The logical id of the resource the policy guards. */
  logicalId: string;
  resourceArn: string;
  document: PolicyDocument;
}

export interface TemplatePolicies {
  /** By the guarded resource's logical id (a resource has one policy: several sources are merged). */
  resourcePolicies: Map<string, ResourcePolicy>;
  /** Each role's identity policies (inline, AWS::IAM::Policy and customer managed), by role logical id. */
  rolePolicies: Map<string, { name: string; document: PolicyDocument }[]>;
  /** The AWS managed policies each role attaches, by role logical id. */
  roleManagedPolicyArns: Map<string, string[]>;
  resolver: IntrinsicResolver;
}

export function extractPolicies(template: CfnTemplate, resolver: IntrinsicResolver): TemplatePolicies {
  const resourcePolicies = new Map<string, ResourcePolicy>();
  const add = (kind: ResourcePolicyKind, logicalId: string, statements: Statement[], arn?: string): void => {
    const existing = resourcePolicies.get(logicalId);
    if (existing !== undefined) {
      existing.document.Statement.push(...statements);
      return;
    }
    resourcePolicies.set(logicalId, {
      kind,
      logicalId,
      resourceArn: arn ?? resolver.arnOf(logicalId),
      document: { Version: '2012-10-17', Statement: [...statements] },
    });
  };
  const statementsOf = (document: Json | undefined, where: string): Statement[] => {
    if (document === undefined) return [];
    const resolved = resolver.resolve(document);
    if (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved)) {
      throw new Error(`${where}: not a policy document`);
    }
    const statement = resolved['Statement'];
    const list = Array.isArray(statement) ? statement : [statement];
    return list.map((item) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item))
        throw new Error(`${where}: bad statement`);
      return item;
    });
  };
  const targetsOf = (value: Json | undefined, where: string): string[] => {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.map((item) => {
      const logicalId = IntrinsicResolver.referencedLogicalId(item);
      if (logicalId === null) throw new Error(`${where}: the policy names a resource outside the template`);
      return logicalId;
    });
  };

  const rolePolicies = new Map<string, { name: string; document: PolicyDocument }[]>();
  const roleManagedPolicyArns = new Map<string, string[]>();
  const addRolePolicy = (roleId: string, name: string, statements: Statement[]): void => {
    const list = rolePolicies.get(roleId) ?? [];
    list.push({ name, document: { Version: '2012-10-17', Statement: statements } });
    rolePolicies.set(roleId, list);
  };

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    const where = `${logicalId} (${resource.Type})`;
    switch (resource.Type) {
      case 'AWS::SNS::TopicPolicy':
        for (const topic of targetsOf(properties['Topics'], where)) {
          add('topic', topic, statementsOf(properties['PolicyDocument'], where));
        }
        break;
      case 'AWS::SQS::QueuePolicy':
        for (const queue of targetsOf(properties['Queues'], where)) {
          add('queue', queue, statementsOf(properties['PolicyDocument'], where));
        }
        break;
      case 'AWS::KMS::Key':
        add('key', logicalId, statementsOf(properties['KeyPolicy'], where));
        break;
      case 'AWS::DynamoDB::Table': {
        const policy = properties['ResourcePolicy'];
        const document =
          policy !== null && typeof policy === 'object' && !Array.isArray(policy)
            ? policy['PolicyDocument']
            : undefined;
        add('table', logicalId, statementsOf(document, where));
        break;
      }
      case 'AWS::Events::EventBus':
        add('event-bus', logicalId, statementsOf(properties['Policy'], where));
        break;
      case 'AWS::Events::EventBusPolicy': {
        const [bus] = targetsOf(properties['EventBusName'], where);
        if (bus === undefined) throw new Error(`${where}: no EventBusName`);
        const statement = properties['Statement'];
        const sid = properties['StatementId'];
        const statements =
          statement === undefined
            ? statementsOf({ Statement: legacyBusStatement(properties) }, where)
            : statementsOf({ Statement: statement }, where);
        add(
          'event-bus',
          bus,
          statements.map((item) => (sid === undefined ? item : { Sid: sid, ...item })),
        );
        break;
      }
      case 'AWS::Lambda::Permission': {
        const [target] = targetsOf(properties['FunctionName'], where);
        if (target === undefined) throw new Error(`${where}: no FunctionName`);
        add('function', target, [
          lambdaPermissionStatement(resolver, properties, resolver.arnOf(target), where),
        ]);
        break;
      }
      case 'AWS::SecretsManager::ResourcePolicy':
        for (const secret of targetsOf(properties['SecretId'], where)) {
          add('secret', secret, statementsOf(properties['ResourcePolicy'], where));
        }
        break;
      case 'AWS::S3::BucketPolicy':
        for (const bucket of targetsOf(properties['Bucket'], where)) {
          add('bucket', bucket, statementsOf(properties['PolicyDocument'], where));
        }
        break;
      case 'AWS::IAM::Role': {
        add('trust', logicalId, statementsOf(properties['AssumeRolePolicyDocument'], where));
        const inline = properties['Policies'];
        for (const policy of Array.isArray(inline) ? inline : []) {
          if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) continue;
          addRolePolicy(
            logicalId,
            String(policy['PolicyName']),
            statementsOf(policy['PolicyDocument'], where),
          );
        }
        const managed = resolver.resolve(properties['ManagedPolicyArns'] ?? []);
        roleManagedPolicyArns.set(logicalId, Array.isArray(managed) ? managed.map(String) : []);
        break;
      }
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        for (const role of targetsOf(properties['Roles'], where)) {
          addRolePolicy(role, logicalId, statementsOf(properties['PolicyDocument'], where));
        }
        break;
    }
  }
  // Customer managed policies a role attaches by Ref.
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const managed = resource.Properties?.['ManagedPolicyArns'];
    for (const item of Array.isArray(managed) ? managed : []) {
      const policyId = IntrinsicResolver.referencedLogicalId(item);
      const policy = policyId === null ? undefined : template.Resources[policyId];
      if (policyId === null || policy?.Type !== 'AWS::IAM::ManagedPolicy') continue;
      addRolePolicy(logicalId, policyId, statementsOf(policy.Properties?.['PolicyDocument'], policyId));
    }
  }
  return { resourcePolicies, rolePolicies, roleManagedPolicyArns, resolver };
}

/** The statement Lambda adds to the function's policy for one AWS::Lambda::Permission. */
function lambdaPermissionStatement(
  resolver: IntrinsicResolver,
  properties: Record<string, Json>,
  functionArn: string,
  where: string,
): Statement {
  const principal = resolver.resolveString(properties['Principal'] ?? '', `${where}.Principal`);
  const conditions: Record<string, Record<string, string>> = {};
  if (properties['SourceArn'] !== undefined) {
    conditions['ArnLike'] = {
      'AWS:SourceArn': resolver.resolveString(properties['SourceArn'], `${where}.SourceArn`),
    };
  }
  if (properties['SourceAccount'] !== undefined) {
    conditions['StringEquals'] = {
      'AWS:SourceAccount': resolver.resolveString(properties['SourceAccount'], `${where}.SourceAccount`),
    };
  }
  if (properties['PrincipalOrgID'] !== undefined) {
    conditions['StringEquals'] = {
      ...conditions['StringEquals'],
      'aws:PrincipalOrgID': resolver.resolveString(properties['PrincipalOrgID'], `${where}.PrincipalOrgID`),
    };
  }
  const principalBlock: Json = principal.endsWith('.amazonaws.com')
    ? { Service: principal }
    : { AWS: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal };
  return {
    Effect: 'Allow',
    Principal: principalBlock,
    Action: resolver.resolveString(properties['Action'] ?? '', `${where}.Action`),
    Resource: functionArn,
    ...(Object.keys(conditions).length > 0 ? { Condition: conditions } : {}),
  };
}

/** EventBusPolicy's older form (Action, Principal, Condition as properties) as a statement. */
function legacyBusStatement(properties: Record<string, Json>): Json {
  const principal = properties['Principal'];
  return {
    Effect: 'Allow',
    Action: properties['Action'] ?? 'events:PutEvents',
    Principal: principal === '*' ? '*' : { AWS: principal ?? '*' },
    Resource: '*',
    ...(properties['Condition'] !== undefined ? { Condition: properties['Condition'] } : {}),
  };
}
