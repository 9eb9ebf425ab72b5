/**
 * A multi-region trail of management events, for accounts that have none: without a trail,
 * CloudTrail puts no "AWS API Call via CloudTrail" events on EventBridge.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export class ManagementEventsTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;
  /** Server access logs of the trail bucket. */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Audit logs outlive the stack: `cdk destroy` leaves both buckets.
    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    this.bucket = new s3.Bucket(this, 'Logs', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    allowServerAccessLogs(this.bucket, this.accessLogsBucket, ACCESS_LOGS_PREFIX);
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket: this.bucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      enableFileValidation: true,
    });
  }
}

/** Where the trail bucket's server access logs go in the access-logs bucket. */
export const ACCESS_LOGS_PREFIX = 'trail-bucket/';

/**
 * Server access logging written out rather than through Bucket's serverAccessLogsBucket: that prop
 * grants the logging service by bucket policy only under the app's
 * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag, and otherwise by the LogDeliveryWrite ACL,
 * which a bucket with ACLs disabled refuses (a consumer's app without the flag would not synthesize).
 */
function allowServerAccessLogs(source: s3.Bucket, target: s3.Bucket, prefix: string): void {
  (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: target.bucketName,
    logFilePrefix: prefix,
  };
  target.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsOfTheTrailBucket',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [target.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': source.bucketArn },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
}
