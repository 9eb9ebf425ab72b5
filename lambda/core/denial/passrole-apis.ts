/**
 * Which API calls pass a role, in which request parameter, and to which service (iam:PassedToService).
 *
 * Evidence: test/fixtures/reference/passrole-api-parameters.txt (Service.Operation -> the request
 * parameter that carries the passed role) and test/fixtures/reference/passedtoservice-values.txt (every
 * iam:PassedToService value AWS managed policies use). Parameter paths are written as CloudTrail
 * records them (camelCase) and matched ignoring case, since some services log their API's PascalCase.
 */
import { eventSourceService, operationName } from './iam-action';

export interface RoleParameter {
  /** Dotted path in requestParameters; `[]` walks an array. */
  path: string;
  /** The service this parameter's role goes to, when it differs from the operation's. */
  passedTo?: string;
  /** The parameter names an instance profile (ARN or name), which is not a role. */
  instanceProfile?: true;
}

interface ServiceRule {
  /** iam:PassedToService for the service's calls unless an operation or parameter says otherwise; null when unknown. */
  passedTo: string | null;
  /** Operation -> the parameters that carry passed roles. */
  roleParameters?: Readonly<Record<string, readonly (string | RoleParameter)[]>>;
  /** Operations whose roles go to another service than `passedTo`. */
  operationPassedTo?: Readonly<Record<string, string>>;
}

const EC2 = 'ec2.amazonaws.com';
const ECS_TASKS = 'ecs-tasks.amazonaws.com';
const SPOT_FLEET = 'spotfleet.amazonaws.com';

const instanceProfileAt = (path: string): RoleParameter => ({ path, passedTo: EC2, instanceProfile: true });
const ec2InstanceProfile = (prefix: string): RoleParameter[] => [
  instanceProfileAt(`${prefix}iamInstanceProfile.arn`),
  instanceProfileAt(`${prefix}iamInstanceProfile.name`),
];
const same = (operations: readonly string[], parameters: readonly (string | RoleParameter)[]) =>
  Object.fromEntries(operations.map((operation) => [operation, parameters]));

/** Keyed by the event source without '.amazonaws.com'. */
const SERVICE_RULES: Readonly<Record<string, ServiceRule>> = {
  glue: {
    passedTo: 'glue.amazonaws.com',
    roleParameters: {
      ...same(
        ['CreateJob', 'CreateCrawler', 'UpdateCrawler', 'CreateMLTransform', 'UpdateMLTransform'],
        ['role'],
      ),
      ...same(['CreateSession'], ['role']),
      UpdateJob: ['jobUpdate.role'],
      CreateDevEndpoint: ['roleArn'],
    },
  },
  lambda: {
    passedTo: 'lambda.amazonaws.com',
    roleParameters: same(['CreateFunction', 'UpdateFunctionConfiguration'], ['role']),
  },
  ecs: {
    passedTo: 'ecs.amazonaws.com',
    roleParameters: {
      RegisterTaskDefinition: ['taskRoleArn', 'executionRoleArn'],
      ...same(['RunTask', 'StartTask'], ['overrides.taskRoleArn', 'overrides.executionRoleArn']),
      // The service role of CreateService goes to ECS itself.
      CreateService: ['role'],
    },
    operationPassedTo: { RegisterTaskDefinition: ECS_TASKS, RunTask: ECS_TASKS, StartTask: ECS_TASKS },
  },
  states: {
    passedTo: 'states.amazonaws.com',
    roleParameters: same(['CreateStateMachine', 'UpdateStateMachine'], ['roleArn']),
  },
  cloudformation: {
    passedTo: 'cloudformation.amazonaws.com',
    roleParameters: {
      ...same(
        ['CreateStack', 'UpdateStack', 'CreateChangeSet', 'ContinueUpdateRollback', 'DeleteStack'],
        ['roleARN'],
      ),
      ...same(['CreateStackSet', 'UpdateStackSet'], ['administrationRoleARN']),
    },
  },
  sagemaker: {
    passedTo: 'sagemaker.amazonaws.com',
    roleParameters: {
      ...same(
        [
          'CreateTrainingJob',
          'CreateProcessingJob',
          'CreateNotebookInstance',
          'UpdateNotebookInstance',
          'CreateAutoMLJob',
          'CreateAutoMLJobV2',
          'CreateCompilationJob',
          'CreateLabelingJob',
          'CreatePipeline',
          'UpdatePipeline',
          'CreateFlowDefinition',
          'CreateDataQualityJobDefinition',
          'CreateModelBiasJobDefinition',
          'CreateModelExplainabilityJobDefinition',
          'CreateModelQualityJobDefinition',
          'CreateFeatureGroup',
          'CreateImage',
          'UpdateImage',
          'CreateInferenceRecommendationsJob',
        ],
        ['roleArn'],
      ),
      CreateModel: ['executionRoleArn'],
      ...same(['CreateDomain', 'UpdateDomain'], ['defaultUserSettings.executionRole']),
      ...same(['CreateUserProfile', 'UpdateUserProfile'], ['userSettings.executionRole']),
      CreateHyperParameterTuningJob: ['trainingJobDefinition.roleArn'],
      ...same(
        ['CreateMonitoringSchedule', 'UpdateMonitoringSchedule'],
        ['monitoringScheduleConfig.monitoringJobDefinition.roleArn'],
      ),
    },
  },
  codebuild: {
    passedTo: 'codebuild.amazonaws.com',
    roleParameters: {
      ...same(['CreateProject', 'UpdateProject'], ['serviceRole', 'buildBatchConfig.serviceRole']),
      StartBuild: ['serviceRoleOverride'],
      StartBuildBatch: ['serviceRoleOverride', 'buildBatchConfigOverride.serviceRole'],
    },
  },
  codepipeline: {
    passedTo: 'codepipeline.amazonaws.com',
    roleParameters: same(['CreatePipeline', 'UpdatePipeline'], ['pipeline.roleArn']),
  },
  elasticmapreduce: {
    passedTo: 'elasticmapreduce.amazonaws.com',
    roleParameters: {
      // AmazonEMRFullAccessPolicy_v2 passes the EC2 role to ec2 and the auto scaling role to application-autoscaling.
      RunJobFlow: [
        'serviceRole',
        instanceProfileAt('jobFlowRole'),
        { path: 'autoScalingRole', passedTo: 'application-autoscaling.amazonaws.com' },
      ],
    },
  },
  'emr-serverless': {
    passedTo: 'emr-serverless.amazonaws.com',
    roleParameters: same(['StartJobRun'], ['executionRoleArn']),
  },
  events: {
    passedTo: 'events.amazonaws.com',
    roleParameters: { PutTargets: ['targets[].roleArn'], PutRule: ['roleArn'], CreateEndpoint: ['roleArn'] },
  },
  scheduler: {
    passedTo: 'scheduler.amazonaws.com',
    roleParameters: same(['CreateSchedule', 'UpdateSchedule'], ['target.roleArn']),
  },
  pipes: {
    passedTo: 'pipes.amazonaws.com',
    roleParameters: same(['CreatePipe', 'UpdatePipe'], ['roleArn']),
  },
  batch: {
    passedTo: 'batch.amazonaws.com',
    roleParameters: {
      CreateComputeEnvironment: [
        'serviceRole',
        instanceProfileAt('computeResources.instanceRole'),
        { path: 'computeResources.spotIamFleetRole', passedTo: SPOT_FLEET },
      ],
      UpdateComputeEnvironment: ['serviceRole'],
      RegisterJobDefinition: [
        { path: 'containerProperties.jobRoleArn', passedTo: ECS_TASKS },
        { path: 'containerProperties.executionRoleArn', passedTo: ECS_TASKS },
      ],
    },
  },
  datasync: {
    passedTo: 'datasync.amazonaws.com',
    roleParameters: { CreateLocationS3: ['s3Config.bucketAccessRoleArn'] },
  },
  ec2: {
    passedTo: EC2,
    roleParameters: {
      // CloudTrail wraps newer EC2 APIs' parameters in '<Operation>Request'; the reader tries both.
      RunInstances: ec2InstanceProfile(''),
      AssociateIamInstanceProfile: ec2InstanceProfile(''),
      ReplaceIamInstanceProfileAssociation: ec2InstanceProfile(''),
      RequestSpotInstances: ec2InstanceProfile('launchSpecification.'),
      RunScheduledInstances: ec2InstanceProfile('launchSpecification.'),
      RequestSpotFleet: [{ path: 'spotFleetRequestConfig.iamFleetRole', passedTo: SPOT_FLEET }],
      CreateFlowLogs: ['deliverLogsPermissionArn'],
    },
  },
  autoscaling: {
    passedTo: 'autoscaling.amazonaws.com',
    roleParameters: {
      CreateLaunchConfiguration: [instanceProfileAt('iamInstanceProfile')],
      PutLifecycleHook: ['roleARN'],
      ...same(['CreateAutoScalingGroup', 'UpdateAutoScalingGroup'], ['serviceLinkedRoleARN']),
    },
    operationPassedTo: { CreateLaunchConfiguration: EC2 },
  },
  'application-autoscaling': {
    passedTo: 'application-autoscaling.amazonaws.com',
    roleParameters: { RegisterScalableTarget: ['roleARN'] },
  },
  iam: {
    // AddRoleToInstanceProfile checks iam:PassRole; no managed policy shows the service it names.
    passedTo: null,
    roleParameters: { AddRoleToInstanceProfile: ['roleName'] },
  },
  eks: {
    passedTo: 'eks.amazonaws.com',
    roleParameters: {
      CreateCluster: ['roleArn'],
      CreateNodegroup: ['nodeRole'],
      CreateFargateProfile: ['podExecutionRoleArn'],
      ...same(['CreatePodIdentityAssociation', 'UpdatePodIdentityAssociation'], ['roleArn']),
    },
    operationPassedTo: {
      CreatePodIdentityAssociation: 'pods.eks.amazonaws.com',
      UpdatePodIdentityAssociation: 'pods.eks.amazonaws.com',
    },
  },
  apprunner: {
    passedTo: 'apprunner.amazonaws.com',
    roleParameters: same(
      ['CreateService', 'UpdateService'],
      [
        'sourceConfiguration.authenticationConfiguration.accessRoleArn',
        'instanceConfiguration.instanceRoleArn',
      ],
    ),
  },
  firehose: {
    passedTo: 'firehose.amazonaws.com',
    roleParameters: {
      CreateDeliveryStream: [
        'kinesisStreamSourceConfiguration.roleARN',
        's3DestinationConfiguration.roleARN',
        'extendedS3DestinationConfiguration.roleARN',
        'redshiftDestinationConfiguration.roleARN',
        'elasticsearchDestinationConfiguration.roleARN',
        'amazonopensearchserviceDestinationConfiguration.roleARN',
        'httpEndpointDestinationConfiguration.roleARN',
        'splunkDestinationConfiguration.s3Configuration.roleARN',
      ],
    },
  },
  kinesisanalytics: {
    passedTo: 'kinesisanalytics.amazonaws.com',
    roleParameters: {
      CreateApplication: ['serviceExecutionRole'],
      UpdateApplication: ['serviceExecutionRoleUpdate'],
    },
  },
  dms: {
    passedTo: 'dms.amazonaws.com',
    roleParameters: same(
      ['CreateEndpoint', 'ModifyEndpoint'],
      [
        'serviceAccessRoleArn',
        's3Settings.serviceAccessRoleArn',
        'dynamoDbSettings.serviceAccessRoleArn',
        'kinesisSettings.serviceAccessRoleArn',
        'elasticsearchSettings.serviceAccessRoleArn',
        'neptuneSettings.serviceAccessRoleArn',
        'redshiftSettings.serviceAccessRoleArn',
        'dmsTransferSettings.serviceAccessRoleArn',
      ],
    ),
  },
  backup: {
    passedTo: 'backup.amazonaws.com',
    roleParameters: {
      CreateBackupSelection: ['backupSelection.iamRoleArn'],
      ...same(['StartBackupJob', 'StartRestoreJob', 'StartCopyJob'], ['iamRoleArn']),
    },
  },
  ssm: {
    passedTo: 'ssm.amazonaws.com',
    roleParameters: {
      SendCommand: ['serviceRoleArn'],
      ...same(['CreateActivation', 'UpdateManagedInstanceRole'], ['iamRole']),
      ...same(
        ['RegisterTaskWithMaintenanceWindow', 'UpdateMaintenanceWindowTask'],
        ['serviceRoleArn', 'taskInvocationParameters.runCommand.serviceRoleArn'],
      ),
    },
  },
  rds: {
    passedTo: 'rds.amazonaws.com',
    roleParameters: {
      ...same(['AddRoleToDBCluster', 'AddRoleToDBInstance', 'CreateDBProxy', 'ModifyDBProxy'], ['roleArn']),
      ...same(['CreateDBInstance', 'ModifyDBInstance', 'CreateDBInstanceReadReplica'], ['monitoringRoleArn']),
      StartExportTask: ['iamRoleArn'],
    },
  },
  redshift: {
    passedTo: 'redshift.amazonaws.com',
    roleParameters: {
      ...same(['CreateCluster', 'RestoreFromClusterSnapshot'], ['iamRoles[]']),
      ModifyClusterIamRoles: ['addIamRoles[]'],
    },
  },
  logs: {
    passedTo: 'logs.amazonaws.com',
    roleParameters: same(['PutSubscriptionFilter', 'PutDestination'], ['roleArn']),
  },
  cloudtrail: {
    passedTo: 'cloudtrail.amazonaws.com',
    roleParameters: same(['CreateTrail', 'UpdateTrail'], ['cloudWatchLogsRoleArn']),
  },
  config: {
    passedTo: 'config.amazonaws.com',
    roleParameters: {
      PutConfigurationRecorder: ['configurationRecorder.roleARN'],
      PutConfigurationAggregator: ['organizationAggregationSource.roleArn'],
    },
  },
  iot: {
    passedTo: 'iot.amazonaws.com',
    roleParameters: { ...same(['CreateRoleAlias', 'UpdateRoleAlias'], ['roleArn']) },
    operationPassedTo: {
      CreateRoleAlias: 'credentials.iot.amazonaws.com',
      UpdateRoleAlias: 'credentials.iot.amazonaws.com',
    },
  },
  transfer: {
    passedTo: 'transfer.amazonaws.com',
    roleParameters: {
      ...same(['CreateUser', 'UpdateUser', 'CreateAccess', 'UpdateAccess'], ['role']),
      ...same(['CreateServer', 'UpdateServer'], ['loggingRole', 'identityProviderDetails.invocationRole']),
    },
  },
  codedeploy: {
    passedTo: 'codedeploy.amazonaws.com',
    roleParameters: same(['CreateDeploymentGroup', 'UpdateDeploymentGroup'], ['serviceRoleArn']),
  },
  appsync: {
    passedTo: 'appsync.amazonaws.com',
    roleParameters: {
      ...same(['CreateDataSource', 'UpdateDataSource'], ['serviceRoleArn']),
      ...same(['CreateGraphqlApi', 'UpdateGraphqlApi'], ['logConfig.cloudWatchLogsRoleArn']),
    },
  },
  airflow: {
    passedTo: 'airflow.amazonaws.com',
    roleParameters: same(['CreateEnvironment', 'UpdateEnvironment'], ['executionRoleArn']),
  },
  mediaconvert: { passedTo: 'mediaconvert.amazonaws.com', roleParameters: { CreateJob: ['role'] } },
  databrew: {
    passedTo: 'databrew.amazonaws.com',
    roleParameters: same(
      [
        'CreateProfileJob',
        'UpdateProfileJob',
        'CreateRecipeJob',
        'UpdateRecipeJob',
        'CreateProject',
        'UpdateProject',
      ],
      ['roleArn'],
    ),
  },
  lakeformation: {
    passedTo: 'lakeformation.amazonaws.com',
    roleParameters: same(['RegisterResource', 'UpdateResource'], ['roleArn']),
  },
  bedrock: {
    passedTo: 'bedrock.amazonaws.com',
    roleParameters: {
      ...same(
        [
          'CreateModelCustomizationJob',
          'CreateModelInvocationJob',
          'CreateKnowledgeBase',
          'CreateEvaluationJob',
        ],
        ['roleArn'],
      ),
      ...same(['CreateAgent', 'UpdateAgent'], ['agentResourceRoleArn']),
    },
  },
  s3: {
    passedTo: 's3.amazonaws.com',
    roleParameters: { PutBucketReplication: ['replicationConfiguration.role'] },
  },
  'cognito-identity': {
    passedTo: 'cognito-identity.amazonaws.com',
    roleParameters: { SetIdentityPoolRoles: ['roles.authenticated', 'roles.unauthenticated'] },
  },
  guardduty: {
    passedTo: null,
    roleParameters: { CreateMalwareProtectionPlan: ['role'] },
    operationPassedTo: { CreateMalwareProtectionPlan: 'malware-protection-plan.guardduty.amazonaws.com' },
  },
  synthetics: {
    passedTo: 'synthetics.amazonaws.com',
    roleParameters: same(['CreateCanary', 'UpdateCanary'], ['executionRoleArn']),
  },
  elasticbeanstalk: {
    passedTo: 'elasticbeanstalk.amazonaws.com',
    roleParameters: {
      CreateEnvironment: ['operationsRole'],
      AssociateEnvironmentOperationsRole: ['operationsRole'],
    },
  },
  dax: { passedTo: 'dax.amazonaws.com', roleParameters: { CreateCluster: ['iamRoleArn'] } },
};

/** Services whose iam:PassedToService is their own endpoint host (managed policies use these values). */
const SELF_NAMED_SERVICES = [
  'apigateway',
  'athena',
  'braket',
  'cleanrooms',
  'cleanrooms-ml',
  'codecatalyst',
  'datazone',
  'dsql',
  'elasticfilesystem',
  'elasticloadbalancing',
  'elastictranscoder',
  'entityresolution',
  'fis',
  'forecast',
  'frauddetector',
  'grafana',
  'greengrass',
  'healthlake',
  'inspector',
  'iotsitewise',
  'kafka',
  'kendra',
  'lookoutequipment',
  'lookoutmetrics',
  'mediaconnect',
  'medical-imaging',
  'neptune-graph',
  'omics',
  'opsworks',
  'panorama',
  'personalize',
  'proton',
  'qldb',
  'quicksight',
  'redshift-serverless',
  'robomaker',
  'rolesanywhere',
  'servicecatalog',
  'bedrock-agentcore',
];

function ruleFor(eventSource: string): ServiceRule | null {
  const service = eventSourceService(eventSource);
  const rule = SERVICE_RULES[service];
  if (rule !== undefined) return rule;
  return SELF_NAMED_SERVICES.includes(service) ? { passedTo: `${service}.amazonaws.com` } : null;
}

function normalizedPath(path: string): string {
  return path.replace(/\[\d*\]/g, '').toLowerCase();
}

function asRoleParameter(parameter: string | RoleParameter): RoleParameter {
  return typeof parameter === 'string' ? { path: parameter } : parameter;
}

/** The parameters of an operation that carry passed roles, or [] when the table does not know the operation. */
export function roleParametersFor(eventSource: string, eventName: string): RoleParameter[] {
  const parameters = ruleFor(eventSource)?.roleParameters?.[operationName(eventName)] ?? [];
  return parameters.map(asRoleParameter);
}

/** How sure passedToServiceFor is: the parameter or operation is in the table, or only the service is. */
export type PassedToServiceBasis = 'parameter' | 'operation' | 'service';

export function passedToServiceDetail(
  eventSource: string,
  eventName: string,
  roleParameter?: string,
): { service: string; basis: PassedToServiceBasis } | null {
  const rule = ruleFor(eventSource);
  if (rule === null) return null;
  const operation = operationName(eventName);
  const parameters = (rule.roleParameters?.[operation] ?? []).map(asRoleParameter);
  if (roleParameter !== undefined) {
    // A wrapper such as EC2's 'AssociateIamInstanceProfileRequest.' does not change which parameter it is.
    const wanted = normalizedPath(roleParameter).replace(`${operation.toLowerCase()}request.`, '');
    const parameter = parameters.find((candidate) => normalizedPath(candidate.path) === wanted);
    if (parameter?.passedTo !== undefined) return { service: parameter.passedTo, basis: 'parameter' };
  }
  const operationService = rule.operationPassedTo?.[operation];
  if (operationService !== undefined) return { service: operationService, basis: 'operation' };
  if (rule.passedTo === null) return null;
  return { service: rule.passedTo, basis: parameters.length > 0 ? 'operation' : 'service' };
}

/**
 * iam:PassedToService for a denied call: e.g. ('glue.amazonaws.com','UpdateJob') -> 'glue.amazonaws.com';
 * ('ecs.amazonaws.com','RegisterTaskDefinition') -> 'ecs-tasks.amazonaws.com'. null when unknown.
 * `roleParameter` (the request parameter that carried the role) matters where one call passes roles to
 * several services, e.g. EMR RunJobFlow's jobFlowRole goes to ec2.amazonaws.com.
 */
export function passedToServiceFor(
  eventSource: string,
  eventName: string,
  roleParameter?: string,
): string | null {
  return passedToServiceDetail(eventSource, eventName, roleParameter)?.service ?? null;
}

/** Every operation the table knows to pass a role, with its parameters: for documentation and tests. */
export function listRolePassingOperations(): {
  eventSource: string;
  operation: string;
  parameters: RoleParameter[];
}[] {
  return Object.entries(SERVICE_RULES).flatMap(([service, rule]) =>
    Object.entries(rule.roleParameters ?? {}).map(([operation, parameters]) => ({
      eventSource: `${service}.amazonaws.com`,
      operation,
      parameters: parameters.map(asRoleParameter),
    })),
  );
}
