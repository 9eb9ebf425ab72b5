/**
 * The approval workflow's two KMS keys, whose key material never leaves KMS:
 *
 * - the review-link key (HMAC_256, GENERATE_VERIFY_MAC): the diagnose function signs links with
 *   kms:GenerateMac, the approval function checks them with kms:VerifyMac, and no one else may do
 *   either;
 * - the decision key (ECC_NIST_P256, SIGN_VERIFY, ECDSA SHA-256): the approval function signs each
 *   decision with kms:Sign, and no one else may; the apply function and the reconciler fetch the
 *   public key (kms:GetPublicKey) and verify locally.
 *
 * CDK's default key policy lets any IAM policy of the account grant a key's use (its root statement),
 * so each use is also denied in the key policy to every principal but the one role. The key policy
 * further denies changing the key (its policy, grants, aliases, tags, state, deletion) to all but the
 * deploy role and the account's root user; the root statement stays, so CloudFormation keeps the key
 * administration it needs to deploy and destroy.
 *
 * Neither key rotates automatically (KMS rotates symmetric encryption keys only). The signed envelope
 * names the key that signed it, and each key has an alias, so a key can be replaced by hand.
 */
import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { denyChangesToItself, denyExcept, type PolicyAdministrators } from './deny-statements';

/** What changes a key, its policy or who can use it: the deploy role's and root's alone. */
export const KEY_CHANGE_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:DisableKey',
  'kms:EnableKey',
  'kms:UpdateKeyDescription',
  'kms:CreateGrant',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ImportKeyMaterial',
  'kms:DeleteImportedKeyMaterial',
  'kms:ReplicateKey',
  'kms:UpdatePrimaryRegion',
] as const;

/** The tag the shipped SCP finds the stack's keys by (keys have no name to match). */
export const STACK_TAG_KEY = 'passrole-doctor:stack';

export interface ApprovalKeysProps {
  readonly administrators: PolicyAdministrators;
}

/** Which role alone may use each key operation. */
export interface ApprovalKeyUsers {
  /** kms:GenerateMac on the review-link key: the diagnose function's role. */
  readonly linkMacGenerator: iam.IRole;
  /** kms:VerifyMac on the review-link key: the approval function's role. */
  readonly linkMacVerifier: iam.IRole;
  /** kms:Sign on the decision key: the approval function's role. */
  readonly decisionSigner: iam.IRole;
  /** kms:GetPublicKey on the decision key: the apply function's and the reconciler's roles. */
  readonly decisionVerifiers: readonly iam.IRole[];
}

export class ApprovalKeys extends Construct {
  readonly linkMacKey: kms.Key;
  readonly decisionSigningKey: kms.Key;
  readonly linkMacAlias: kms.Alias;
  readonly decisionSigningAlias: kms.Alias;

  constructor(scope: Construct, id: string, props: ApprovalKeysProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    this.linkMacKey = new kms.Key(this, 'LinkMacKey', {
      description: 'PassRole Doctor: HMAC key signing review links (diagnose generates, approval verifies)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      // Only links die with it: the proposals they point at stay in their (retained) table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.decisionSigningKey = new kms.Key(this, 'DecisionSigningKey', {
      description: 'PassRole Doctor: signs approval decisions (approval signs, apply and reconciler verify)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // Approved decisions not yet applied need re-approval once it is gone: nothing is applied unsigned.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.linkMacAlias = this.linkMacKey.addAlias(`alias/${stackName}/review-links`);
    this.decisionSigningAlias = this.decisionSigningKey.addAlias(`alias/${stackName}/decisions`);

    // No rotation to acknowledge: cdk-nag's AwsSolutions-KMS5 applies to symmetric encryption keys
    // only, the only kind KMS can rotate. The signed envelope names the key; replacing one: README.
    for (const key of [this.linkMacKey, this.decisionSigningKey]) protectKey(key, props.administrators);
  }

  /** Denies each key operation to every principal but its role, and grants it to that role. */
  restrictUse(users: ApprovalKeyUsers): void {
    const useOnly = (key: kms.Key, sid: string, action: string, roles: readonly iam.IRole[]) => {
      key.addToResourcePolicy(
        denyExcept({
          sid: `Deny${sid}ToAllButItsRole`,
          actions: [action],
          except: roles.map((r) => r.roleArn),
        }),
      );
      for (const role of roles) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ sid, actions: [action], resources: [key.keyArn] }),
        );
      }
    };
    useOnly(this.linkMacKey, 'GenerateReviewLinkMac', 'kms:GenerateMac', [users.linkMacGenerator]);
    useOnly(this.linkMacKey, 'VerifyReviewLinkMac', 'kms:VerifyMac', [users.linkMacVerifier]);
    useOnly(this.decisionSigningKey, 'SignDecisions', 'kms:Sign', [users.decisionSigner]);
    // The public key is public: the verifiers get it, no one needs to be kept from it.
    for (const role of users.decisionVerifiers) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadDecisionPublicKey',
          actions: ['kms:GetPublicKey'],
          resources: [this.decisionSigningKey.keyArn],
        }),
      );
    }
  }
}

/**
 * Denies every change to the key (policy, grants, aliases, tags, state, deletion) to all but the deploy
 * role and root, and tags it for the shipped SCP.
 */
export function protectKey(key: kms.Key, administrators: PolicyAdministrators): void {
  key.addToResourcePolicy(
    denyChangesToItself('DenyKeyChangesToAllButTheDeployRole', KEY_CHANGE_ACTIONS, administrators),
  );
  Tags.of(key).add(STACK_TAG_KEY, Stack.of(key).stackName);
}
