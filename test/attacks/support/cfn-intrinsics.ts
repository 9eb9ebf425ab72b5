/**
 * Resolves a synthesized CloudFormation template's intrinsic functions (Ref, Fn::GetAtt, Fn::Join,
 * Fn::Sub, Fn::Select, Fn::Split, Fn::If, the AWS:: pseudo parameters) to the concrete values a
 * deployment into one account and region would give them, so its policies can be evaluated.
 *
 * Written by hand: the one maintained npm resolver (cfn-resolver-lib) needs every Ref and GetAtt of a
 * resource without an explicit name (all of CDK's) supplied by the caller anyway, and knows few ARN
 * formats; what is left is the small evaluator below. A resource type or attribute it does not know
 * throws, so a new kind of resource in the stack fails the suite instead of evaluating a wrong ARN.
 */

export interface Deployment {
  account: string;
  region: string;
  partition: string;
  stackName: string;
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  Condition?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: Json }>;
  Conditions?: Record<string, Json>;
}

/** What `AWS::NoValue` resolves to: the property is removed from its object or list. */
const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = Json | typeof NO_VALUE;

/** A resource's name, ARN and the attributes of its type, as CloudFormation would report them. */
interface Physical {
  ref: string;
  attributes: Record<string, string>;
}

export class IntrinsicResolver {
  private readonly physical = new Map<string, Physical>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly deployment: Deployment,
  ) {}

  /** The value of `value` with every intrinsic function evaluated. */
  resolve(value: Json): Json {
    const resolved = this.evaluate(value);
    if (resolved === NO_VALUE) throw new Error('AWS::NoValue at the top of a value');
    return resolved;
  }

  /** A resolved value that must be a string (an ARN, a name). */
  resolveString(value: Json, where: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string')
      throw new Error(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  /** The ARN of the resource `logicalId`. */
  arnOf(logicalId: string): string {
    const { attributes } = this.physicalOf(logicalId);
    const arn = attributes['Arn'] ?? attributes['TopicArn'];
    if (arn === undefined) throw new Error(`no ARN known for ${logicalId}`);
    return arn;
  }

  /** The logical id a `{Ref}`/`{Fn::GetAtt}` points at, or null for anything else. */
  static referencedLogicalId(value: Json): string | null {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const ref = value['Ref'];
    if (typeof ref === 'string' && !ref.startsWith('AWS::')) return ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    if (typeof getAtt === 'string') return getAtt.split('.')[0] ?? null;
    return null;
  }

  // ---------------------------------------------------------------- evaluation

  private evaluate(value: Json): Resolved {
    if (Array.isArray(value)) {
      return value.map((item) => this.evaluate(item)).filter((item): item is Json => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [name] = keys as [string];
      const argument = value[name] as Json;
      if (name === 'Ref') return this.ref(this.stringArgument(name, argument));
      if (name.startsWith('Fn::')) return this.function(name, argument);
    }
    const out: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.evaluate(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private function(name: string, argument: Json): Resolved {
    switch (name) {
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? argument.map((part) => this.resolve(part))
          : this.stringArgument(name, argument).split(/\.(.*)/s);
        if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
          throw new Error(`Fn::GetAtt takes [logicalId, attribute]: ${JSON.stringify(argument)}`);
        }
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, items] = this.listArgument(name, argument, 2);
        const resolved = this.resolve(items as Json);
        if (typeof separator !== 'string' || !Array.isArray(resolved)) {
          throw new Error(`Fn::Join takes [separator, list]: ${JSON.stringify(argument)}`);
        }
        return resolved.map((item) => this.scalar(name, item)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] =
          typeof argument === 'string' ? [argument, {}] : this.listArgument(name, argument, 2);
        const bound = this.resolve((variables ?? {}) as Json);
        if (typeof text !== 'string' || bound === null || typeof bound !== 'object' || Array.isArray(bound)) {
          throw new Error(`Fn::Sub takes a string or [string, variables]: ${JSON.stringify(argument)}`);
        }
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_whole, literal: string, expression: string) => {
          if (literal === '!') return `\${${expression}}`;
          if (expression in bound) return this.scalar(name, bound[expression] as Json);
          const [logicalId, attribute] = expression.split(/\.(.*)/s) as [string, string | undefined];
          const value = attribute === undefined ? this.ref(logicalId) : this.getAtt(logicalId, attribute);
          if (value === NO_VALUE) throw new Error(`Fn::Sub: \${${expression}} is AWS::NoValue`);
          return this.scalar(name, value);
        });
      }
      case 'Fn::Select': {
        const [index, items] = this.listArgument(name, argument, 2).map((part) => this.resolve(part as Json));
        if (!Array.isArray(items)) throw new Error(`Fn::Select takes a list: ${JSON.stringify(argument)}`);
        const item = items[Number(index)];
        if (item === undefined) throw new Error(`Fn::Select index ${String(index)} out of range`);
        return item;
      }
      case 'Fn::Split': {
        const [separator, text] = this.listArgument(name, argument, 2).map((part) =>
          this.resolve(part as Json),
        );
        if (typeof separator !== 'string' || typeof text !== 'string') {
          throw new Error(`Fn::Split takes [separator, string]: ${JSON.stringify(argument)}`);
        }
        return text.split(separator);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.listArgument(name, argument, 3);
        return this.condition(this.stringArgument(name, condition as Json))
          ? this.evaluate(whenTrue as Json)
          : this.evaluate(whenFalse as Json);
      }
      default:
        throw new Error(`intrinsic function ${name} is not supported by the attack suite's resolver`);
    }
  }

  private condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`no condition ${name}`);
    return this.booleanOf(expression);
  }

  private booleanOf(expression: Json): boolean {
    if (typeof expression === 'boolean') return expression;
    if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) {
      throw new Error(`not a condition: ${JSON.stringify(expression)}`);
    }
    const [name, argument] = Object.entries(expression)[0] ?? [];
    const parts = Array.isArray(argument) ? argument : [];
    switch (name) {
      case 'Condition':
        return this.condition(this.stringArgument(name, argument as Json));
      case 'Fn::Equals':
        return (
          JSON.stringify(this.resolve(parts[0] as Json)) === JSON.stringify(this.resolve(parts[1] as Json))
        );
      case 'Fn::Not':
        return !this.booleanOf(parts[0] as Json);
      case 'Fn::And':
        return parts.every((part) => this.booleanOf(part));
      case 'Fn::Or':
        return parts.some((part) => this.booleanOf(part));
      default:
        throw new Error(`condition function ${String(name)} is not supported`);
    }
  }

  private ref(name: string): Resolved {
    const { account, region, partition, stackName } = this.deployment;
    switch (name) {
      case 'AWS::AccountId':
        return account;
      case 'AWS::Region':
        return region;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) {
      if (parameter.Default === undefined) throw new Error(`parameter ${name} has no default`);
      return parameter.Default;
    }
    return this.physicalOf(name).ref;
  }

  private getAtt(logicalId: string, attribute: string): string {
    const value = this.physicalOf(logicalId).attributes[attribute];
    if (value === undefined) {
      const type = this.template.Resources[logicalId]?.Type ?? 'unknown';
      throw new Error(
        `Fn::GetAtt ${logicalId}.${attribute} (${type}) is not known to the attack suite's resolver`,
      );
    }
    return value;
  }

  private physicalOf(logicalId: string): Physical {
    const known = this.physical.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`no resource ${logicalId} in the template`);
    const made = this.makePhysical(logicalId, resource);
    this.physical.set(logicalId, made);
    return made;
  }

  /** CloudFormation's generated name, or the name the template sets. */
  private nameOf(logicalId: string, resource: CfnResource, property: string): string {
    const given = resource.Properties?.[property];
    return given === undefined
      ? `${this.deployment.stackName}-${logicalId}`.slice(0, 64)
      : this.resolveString(given, `${logicalId}.${property}`);
  }

  private makePhysical(logicalId: string, resource: CfnResource): Physical {
    const { account, region, partition } = this.deployment;
    const arn = (service: string, resourcePart: string, inRegion = true): string =>
      `arn:${partition}:${service}:${inRegion ? region : ''}:${account}:${resourcePart}`;
    const named = (property: string, service: string, prefix: string, refIsArn = false): Physical => {
      const name = this.nameOf(logicalId, resource, property);
      const resourceArn = arn(service, `${prefix}${name}`);
      return { ref: refIsArn ? resourceArn : name, attributes: { Arn: resourceArn, Name: name } };
    };
    // A stable id per logical id: key ids, API ids and the like are random in AWS.
    const id = (length: number): string => {
      let hash = 0;
      for (const char of logicalId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
      return hash.toString(16).padStart(8, '0').repeat(6).slice(0, length);
    };

    switch (resource.Type) {
      case 'AWS::SNS::Topic': {
        const name = this.nameOf(logicalId, resource, 'TopicName');
        const topicArn = arn('sns', name);
        return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
      }
      case 'AWS::SQS::Queue': {
        const name = this.nameOf(logicalId, resource, 'QueueName');
        const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
        return { ref: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
      }
      case 'AWS::KMS::Key': {
        const keyId = `${id(8)}-${id(4)}-${id(4)}-${id(4)}-${id(12)}`;
        return { ref: keyId, attributes: { Arn: arn('kms', `key/${keyId}`), KeyId: keyId } };
      }
      case 'AWS::KMS::Alias': {
        const name = this.nameOf(logicalId, resource, 'AliasName');
        return { ref: name, attributes: {} };
      }
      case 'AWS::DynamoDB::Table': {
        const table = named('TableName', 'dynamodb', 'table/');
        return {
          ref: table.ref,
          attributes: {
            Arn: table.attributes['Arn'] as string,
            StreamArn: `${table.attributes['Arn']}/stream/x`,
          },
        };
      }
      case 'AWS::IAM::Role': {
        const name = this.nameOf(logicalId, resource, 'RoleName');
        const path = resource.Properties?.['Path'];
        const rolePath = typeof path === 'string' ? path : '/';
        return {
          ref: name,
          attributes: {
            Arn: arn('iam', `role${rolePath}${name}`, false),
            RoleId: `AROA${id(17).toUpperCase()}`,
          },
        };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = this.nameOf(logicalId, resource, 'ManagedPolicyName');
        const policyArn = arn('iam', `policy/${name}`, false);
        return { ref: policyArn, attributes: { PolicyArn: policyArn } };
      }
      case 'AWS::IAM::Policy':
        return { ref: this.nameOf(logicalId, resource, 'PolicyName'), attributes: {} };
      case 'AWS::Lambda::Function':
        return named('FunctionName', 'lambda', 'function:');
      case 'AWS::Events::EventBus':
        return named('Name', 'events', 'event-bus/');
      case 'AWS::Events::Rule': {
        const name = this.nameOf(logicalId, resource, 'Name');
        const bus = resource.Properties?.['EventBusName'];
        const busName = bus === undefined ? 'default' : this.resolveString(bus, `${logicalId}.EventBusName`);
        const prefix = busName === 'default' || busName.startsWith('arn:') ? '' : `${busName}/`;
        return { ref: name, attributes: { Arn: arn('events', `rule/${prefix}${name}`) } };
      }
      case 'AWS::Logs::LogGroup': {
        const name = this.nameOf(logicalId, resource, 'LogGroupName');
        return { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
      }
      case 'AWS::SecretsManager::Secret':
        return named('Name', 'secretsmanager', 'secret:', true);
      case 'AWS::S3::Bucket': {
        const name = this.nameOf(logicalId, resource, 'BucketName').toLowerCase();
        return {
          ref: name,
          attributes: { Arn: `arn:${partition}:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` },
        };
      }
      case 'AWS::ApiGatewayV2::Api': {
        const apiId = id(10);
        return {
          ref: apiId,
          attributes: { ApiId: apiId, ApiEndpoint: `https://${apiId}.execute-api.${region}.amazonaws.com` },
        };
      }
      case 'AWS::CloudWatch::Alarm':
        return named('AlarmName', 'cloudwatch', 'alarm:');
      case 'AWS::Chatbot::SlackChannelConfiguration':
      case 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration': {
        const name = this.nameOf(logicalId, resource, 'ConfigurationName');
        const configurationArn = `arn:${partition}:chatbot::${account}:chat-configuration/${name}`;
        return { ref: configurationArn, attributes: { Arn: configurationArn } };
      }
      case 'AWS::CloudTrail::Trail':
        return named('TrailName', 'cloudtrail', 'trail/');
      default:
        // Resources nothing refers to by ARN (stages, routes, alarms' dimensions) only need a name.
        return { ref: `${this.deployment.stackName}-${logicalId}`, attributes: {} };
    }
  }

  // ---------------------------------------------------------------- argument checks

  private stringArgument(name: string, argument: Json): string {
    if (typeof argument !== 'string') throw new Error(`${name} takes a string: ${JSON.stringify(argument)}`);
    return argument;
  }

  private listArgument(name: string, argument: Json, length: number): Json[] {
    if (!Array.isArray(argument) || argument.length < length - 1) {
      throw new Error(`${name} takes a list of ${length}: ${JSON.stringify(argument)}`);
    }
    return argument;
  }

  private scalar(name: string, value: Json): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    throw new Error(`${name}: expected a scalar, got ${JSON.stringify(value)}`);
  }
}
