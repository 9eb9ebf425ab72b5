/**
 * The HTTP API in front of the approval function, throttled and access-logged, on its `$default`
 * stage (URLs without a stage prefix). Each route has its own throttle (route settings): the
 * unauthenticated link routes one, the IAM routes another, so flooding the first leaves the second
 * answering. Per-client limits need CloudFront with WAF, or a REST API (usage plans).
 * Which routes exist depends on the approval mode:
 *
 * - link (and both): the review page and its two form posts, without an authorizer: the HMAC token
 *   in the link (query string) or the form body is the credential, checked by the function;
 * - iam (and both): the same operations under /iam, behind the AWS_IAM authorizer: SigV4-signed by
 *   the caller (the CLI), who needs execute-api:Invoke on those routes; the approver's ARN is recorded.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SETTINGS_DEFAULTS, type ApprovalMode, type RouteThrottle } from '../settings';

export interface RouteSpec {
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
}

/** The review page and the link holder's decisions (the token is the credential). */
export const LINK_ROUTES: readonly RouteSpec[] = [
  { method: apigwv2.HttpMethod.GET, path: '/proposals/{id}' },
  { method: apigwv2.HttpMethod.POST, path: '/proposals/{id}/approve' },
  { method: apigwv2.HttpMethod.POST, path: '/proposals/{id}/reject' },
];

/** Named approvers, SigV4-signed (the CLI's `proposals`, `approve` and `reject`). */
export const IAM_ROUTES: readonly RouteSpec[] = [
  { method: apigwv2.HttpMethod.GET, path: '/iam/proposals' },
  { method: apigwv2.HttpMethod.GET, path: '/iam/proposals/{id}' },
  { method: apigwv2.HttpMethod.POST, path: '/iam/proposals/{id}/approve' },
  { method: apigwv2.HttpMethod.POST, path: '/iam/proposals/{id}/reject' },
];

/**
 * The stage's default for a route without its own setting (every route has one): a few reviewers
 * click a few links; anything beyond is a scanner or a loop, and API Gateway answers it 429 before
 * Lambda runs.
 */
export const APPROVAL_API_THROTTLE = { rateLimit: 5, burstLimit: 10 } as const;

/**
 * One JSON line per request. No query string (`$context.path` has none): review links carry the
 * token there, and a token in the logs would be a credential in the logs.
 */
export const ACCESS_LOG_FORMAT: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.userArn',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
};

export function linkRoutesEnabled(mode: ApprovalMode): boolean {
  return mode === 'link' || mode === 'both';
}

export function iamRoutesEnabled(mode: ApprovalMode): boolean {
  return mode === 'iam' || mode === 'both';
}

export interface ApprovalApiProps {
  readonly approvalFunction: lambda.IFunction;
  readonly approvalMode: ApprovalMode;
  /** Each link route's throttle. @default 5 requests/s, bursts of 10 */
  readonly linkThrottle?: RouteThrottle;
  /** Each IAM route's throttle. @default 5 requests/s, bursts of 10 */
  readonly iamThrottle?: RouteThrottle;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
  /** What `cdk destroy` does with the access logs (who asked for which review page). @default RemovalPolicy.RETAIN */
  readonly accessLogsRemovalPolicy?: RemovalPolicy;
}

export class ApprovalApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  readonly linkRoutes: readonly apigwv2.HttpRoute[];
  readonly iamRoutes: readonly apigwv2.HttpRoute[];
  /** `https://{api-id}.execute-api.{region}.{domain}`, no trailing slash: review links start with it. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-approval`,
      description: 'PassRole Doctor: review pages and approvals',
      // The stage is made below: the default one takes neither throttling nor access logs.
      createDefaultStage: false,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.accessLogsRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: APPROVAL_API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    this.url = this.api.apiEndpoint;

    // Payload format 2.0; one integration for every route, each route with its own invoke permission.
    const integration = new HttpLambdaIntegration('Approval', props.approvalFunction);
    const addRoutes = (routes: readonly RouteSpec[], authorizer?: apigwv2.IHttpRouteAuthorizer) =>
      routes.flatMap(({ method, path }) =>
        this.api.addRoutes({ path, methods: [method], integration, authorizer }),
      );

    this.linkRoutes = linkRoutesEnabled(props.approvalMode) ? addRoutes(LINK_ROUTES) : [];
    this.iamRoutes = iamRoutesEnabled(props.approvalMode)
      ? addRoutes(IAM_ROUTES, new HttpIamAuthorizer())
      : [];

    const throttled = (routes: readonly RouteSpec[], throttle: RouteThrottle) =>
      routes.map(({ method, path }) => [
        `${method} ${path}`,
        { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
      ]);
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries([
      ...(this.linkRoutes.length > 0
        ? throttled(LINK_ROUTES, props.linkThrottle ?? SETTINGS_DEFAULTS.linkThrottle)
        : []),
      ...(this.iamRoutes.length > 0
        ? throttled(IAM_ROUTES, props.iamThrottle ?? SETTINGS_DEFAULTS.iamThrottle)
        : []),
    ]);
    // A route setting names its route by key: the stage can only be written once the routes exist.
    for (const route of [...this.linkRoutes, ...this.iamRoutes]) this.stage.node.addDependency(route);

    for (const route of this.linkRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Review-link routes carry their own credential: a KMS HMAC token over the proposal id, document ' +
          'hash, target and expiry, checked with kms:VerifyMac by the function; GET never changes anything, ' +
          'and a link approves nothing above contained. Named approvers use the AWS_IAM routes.',
      });
    }
  }

  /**
   * The execute-api ARN of a route on the `$default` stage, with path parameters as `*`: what an
   * approver's policy names in `execute-api:Invoke`.
   */
  routeArn(route: RouteSpec): string {
    return this.api.arnForExecuteApi(route.method, route.path.replace(/\{[^}]+\}/g, '*'), '$default');
  }
}
