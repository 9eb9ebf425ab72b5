import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  listRolePassingOperations,
  passedToServiceFor,
  roleParametersFor,
} from '../../../lambda/core/denial';

const REFERENCE = join(__dirname, '..', '..', 'fixtures', 'reference');

describe('passedToServiceFor', () => {
  it.each([
    ['glue.amazonaws.com', 'UpdateJob', undefined, 'glue.amazonaws.com'],
    ['glue.amazonaws.com', 'CreateCrawler', undefined, 'glue.amazonaws.com'],
    ['lambda.amazonaws.com', 'CreateFunction20150331', undefined, 'lambda.amazonaws.com'],
    ['ecs.amazonaws.com', 'RegisterTaskDefinition', undefined, 'ecs-tasks.amazonaws.com'],
    ['ecs.amazonaws.com', 'RunTask', 'overrides.taskRoleArn', 'ecs-tasks.amazonaws.com'],
    ['ecs.amazonaws.com', 'CreateService', 'role', 'ecs.amazonaws.com'],
    ['ec2.amazonaws.com', 'RunInstances', undefined, 'ec2.amazonaws.com'],
    ['ec2.amazonaws.com', 'AssociateIamInstanceProfile', undefined, 'ec2.amazonaws.com'],
    ['ec2.amazonaws.com', 'ReplaceIamInstanceProfileAssociation', undefined, 'ec2.amazonaws.com'],
    [
      'ec2.amazonaws.com',
      'RequestSpotFleet',
      'spotFleetRequestConfig.iamFleetRole',
      'spotfleet.amazonaws.com',
    ],
    ['states.amazonaws.com', 'CreateStateMachine', undefined, 'states.amazonaws.com'],
    ['cloudformation.amazonaws.com', 'CreateChangeSet', undefined, 'cloudformation.amazonaws.com'],
    ['sagemaker.amazonaws.com', 'CreateTrainingJob', undefined, 'sagemaker.amazonaws.com'],
    ['codebuild.amazonaws.com', 'CreateProject', undefined, 'codebuild.amazonaws.com'],
    ['codepipeline.amazonaws.com', 'CreatePipeline', undefined, 'codepipeline.amazonaws.com'],
    ['elasticmapreduce.amazonaws.com', 'RunJobFlow', 'serviceRole', 'elasticmapreduce.amazonaws.com'],
    ['elasticmapreduce.amazonaws.com', 'RunJobFlow', 'jobFlowRole', 'ec2.amazonaws.com'],
    ['elasticmapreduce.amazonaws.com', 'RunJobFlow', 'JobFlowRole', 'ec2.amazonaws.com'],
    [
      'elasticmapreduce.amazonaws.com',
      'RunJobFlow',
      'autoScalingRole',
      'application-autoscaling.amazonaws.com',
    ],
    ['events.amazonaws.com', 'PutTargets', 'targets[0].roleArn', 'events.amazonaws.com'],
    ['scheduler.amazonaws.com', 'CreateSchedule', undefined, 'scheduler.amazonaws.com'],
    ['pipes.amazonaws.com', 'CreatePipe', undefined, 'pipes.amazonaws.com'],
    ['batch.amazonaws.com', 'CreateComputeEnvironment', 'serviceRole', 'batch.amazonaws.com'],
    ['batch.amazonaws.com', 'CreateComputeEnvironment', 'computeResources.instanceRole', 'ec2.amazonaws.com'],
    [
      'batch.amazonaws.com',
      'RegisterJobDefinition',
      'containerProperties.jobRoleArn',
      'ecs-tasks.amazonaws.com',
    ],
    ['datasync.amazonaws.com', 'CreateLocationS3', undefined, 'datasync.amazonaws.com'],
    ['eks.amazonaws.com', 'CreateCluster', undefined, 'eks.amazonaws.com'],
    ['eks.amazonaws.com', 'CreatePodIdentityAssociation', undefined, 'pods.eks.amazonaws.com'],
    ['apprunner.amazonaws.com', 'CreateService', undefined, 'apprunner.amazonaws.com'],
    ['firehose.amazonaws.com', 'CreateDeliveryStream', undefined, 'firehose.amazonaws.com'],
    ['kinesisanalytics.amazonaws.com', 'CreateApplication', undefined, 'kinesisanalytics.amazonaws.com'],
    ['dms.amazonaws.com', 'CreateEndpoint', undefined, 'dms.amazonaws.com'],
    ['backup.amazonaws.com', 'StartBackupJob', undefined, 'backup.amazonaws.com'],
    ['autoscaling.amazonaws.com', 'CreateLaunchConfiguration', undefined, 'ec2.amazonaws.com'],
    ['iot.amazonaws.com', 'CreateRoleAlias', undefined, 'credentials.iot.amazonaws.com'],
    [
      'guardduty.amazonaws.com',
      'CreateMalwareProtectionPlan',
      undefined,
      'malware-protection-plan.guardduty.amazonaws.com',
    ],
    ['kendra.amazonaws.com', 'CreateIndex', undefined, 'kendra.amazonaws.com'],
  ])('(%s, %s, %s) -> %s', (eventSource, eventName, parameter, service) => {
    expect(passedToServiceFor(eventSource, eventName, parameter)).toBe(service);
  });

  it('returns null for a service it does not know, and for IAM, where AWS names no service', () => {
    expect(passedToServiceFor('example.amazonaws.com', 'CreateThing')).toBeNull();
    expect(passedToServiceFor('iam.amazonaws.com', 'AddRoleToInstanceProfile')).toBeNull();
    expect(passedToServiceFor('guardduty.amazonaws.com', 'CreateDetector')).toBeNull();
  });

  it("falls back from an unknown parameter to the operation's service", () => {
    expect(passedToServiceFor('elasticmapreduce.amazonaws.com', 'RunJobFlow', 'somethingElse')).toBe(
      'elasticmapreduce.amazonaws.com',
    );
  });

  it("uses only values AWS managed policies use for iam:PassedToService, except a few services' own principals", () => {
    const known = new Set(
      readFileSync(join(REFERENCE, 'passedtoservice-values.txt'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'))
        .map((line) => line.split('|')[0]?.trim() ?? ''),
    );
    // Service principals no managed policy happens to restrict iam:PassedToService to.
    const notInManagedPolicies = new Set([
      'batch.amazonaws.com',
      'codedeploy.amazonaws.com',
      'kinesisanalytics.amazonaws.com',
    ]);
    const unknown = new Set<string>();
    for (const { eventSource, operation, parameters } of listRolePassingOperations()) {
      for (const parameter of [undefined, ...parameters.map((p) => p.path)]) {
        const service = passedToServiceFor(eventSource, operation, parameter);
        if (service !== null && !known.has(service) && !notInManagedPolicies.has(service))
          unknown.add(service);
      }
    }
    expect([...unknown]).toEqual([]);
  });
});

describe('roleParametersFor', () => {
  it.each([
    ['glue.amazonaws.com', 'CreateJob', ['role']],
    ['glue.amazonaws.com', 'UpdateJob', ['jobUpdate.role']],
    ['lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', ['role']],
    ['ecs.amazonaws.com', 'RegisterTaskDefinition', ['taskRoleArn', 'executionRoleArn']],
    ['cloudformation.amazonaws.com', 'UpdateStack', ['roleARN']],
    ['codepipeline.amazonaws.com', 'UpdatePipeline', ['pipeline.roleArn']],
    ['events.amazonaws.com', 'PutTargets', ['targets[].roleArn']],
    ['scheduler.amazonaws.com', 'UpdateSchedule', ['target.roleArn']],
  ])('(%s, %s) -> %j', (eventSource, eventName, paths) => {
    expect(roleParametersFor(eventSource, eventName).map((parameter) => parameter.path)).toEqual(paths);
  });

  it('marks instance profile parameters, which name no role', () => {
    expect(roleParametersFor('ec2.amazonaws.com', 'RunInstances')).toEqual([
      { path: 'iamInstanceProfile.arn', passedTo: 'ec2.amazonaws.com', instanceProfile: true },
      { path: 'iamInstanceProfile.name', passedTo: 'ec2.amazonaws.com', instanceProfile: true },
    ]);
  });

  it('returns [] for an operation that passes no role', () => {
    expect(roleParametersFor('glue.amazonaws.com', 'GetJob')).toEqual([]);
  });

  /** The reference file's service names for the event sources the table covers. */
  const REFERENCE_SERVICE: Record<string, string> = {
    Glue: 'glue',
    Lambda: 'lambda',
    ECS: 'ecs',
    StepFunctions: 'states',
    CloudFormation: 'cloudformation',
    SageMaker: 'sagemaker',
    CodeBuild: 'codebuild',
    CodePipeline: 'codepipeline',
    EMR: 'elasticmapreduce',
    Batch: 'batch',
    DataSync: 'datasync',
    EC2: 'ec2',
    AutoScaling: 'autoscaling',
    ApplicationAutoScaling: 'application-autoscaling',
    IAM: 'iam',
    EKS: 'eks',
    Firehose: 'firehose',
    DMS: 'dms',
    Backup: 'backup',
    SSM: 'ssm',
    RDS: 'rds',
    Redshift: 'redshift',
    CloudWatchLogs: 'logs',
    CloudTrail: 'cloudtrail',
    ConfigService: 'config',
    Iot: 'iot',
    Transfer: 'transfer',
    CodeDeploy: 'codedeploy',
    AppSync: 'appsync',
    MediaConvert: 'mediaconvert',
    LakeFormation: 'lakeformation',
    S3: 's3',
    CognitoIdentity: 'cognito-identity',
    Synthetics: 'synthetics',
    ElasticBeanstalk: 'elasticbeanstalk',
    DAX: 'dax',
    EventBridge: 'events',
  };

  it('agrees with the reference file on which parameter carries the role, wherever both know the API', () => {
    const normalize = (path: string) => path.replace(/\[\d*\]/g, '').toLowerCase();
    const overlaps = (ours: string, theirs: string) =>
      ours === theirs || ours.endsWith(`.${theirs}`) || theirs.endsWith(`.${ours}`);
    // Union of each operation's templates; '%%iftruthy%${X}%*%%%' lines only test X and yield '*', not a role.
    const referenceParameters = new Map<string, Set<string>>();
    for (const line of readFileSync(join(REFERENCE, 'passrole-api-parameters.txt'), 'utf8').split('\n')) {
      const match = /^(\w+)\.(\w+) (.*)$/.exec(line.trim());
      if (match === null || line.includes('%%iftruthy%')) continue;
      const [, referenceService = '', operation = '', template = ''] = match;
      const key = `${referenceService}.${operation}`;
      const parameters = referenceParameters.get(key) ?? new Set<string>();
      for (const parameter of template.matchAll(/\$\{([^}]+)\}/g)) {
        const name = normalize(parameter[1] ?? '');
        if (name !== 'partition' && name !== 'account') parameters.add(name);
      }
      referenceParameters.set(key, parameters);
    }
    const disagreements: string[] = [];
    let compared = 0;
    for (const [key, parameters] of referenceParameters) {
      const [referenceService = '', operation = ''] = key.split('.');
      const service = REFERENCE_SERVICE[referenceService];
      if (service === undefined) continue;
      const theirs = [...parameters];
      const ours = roleParametersFor(`${service}.amazonaws.com`, operation).map((parameter) =>
        normalize(parameter.path),
      );
      if (theirs.length === 0 || ours.length === 0) continue;
      compared += 1;
      if (!ours.some((path) => theirs.some((other) => overlaps(path, other)))) {
        disagreements.push(`${key}: ours ${ours.join(',')} vs ${theirs.join(',')}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(40);
  });
});
