import type { FindingKind } from '../model';

/** The one label per finding kind, for every report that lists findings (text, email). */
export const FINDING_LABELS: Record<FindingKind, string> = {
  'explicit-deny': 'explicit deny',
  'near-miss': 'near miss',
  scp: 'SCP',
  boundary: 'permissions boundary',
  'trust-policy': 'trust policy',
  'cross-account': 'cross-account',
  'service-linked-role': 'service-linked role',
  sso: 'IAM Identity Center',
  root: 'root',
  'not-found': 'not found',
  'beneath-deny': 'beneath the deny',
  'already-allowed': 'allowed',
  'service-mismatch': 'service',
  quota: 'quota',
  'session-policy': 'session policy',
  'aws-record': "AWS's record",
  'aws-evaluation': "AWS's evaluation differs",
  'aws-record-unavailable': "AWS's record unavailable",
  'aws-record-mismatch': "AWS's record not of this request",
  'instance-profile': 'instance profile',
};
