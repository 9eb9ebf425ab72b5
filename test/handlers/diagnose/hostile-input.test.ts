/**
 * Hostile input through the real diagnose handler: SQS records derived from the seed denial and the
 * CloudTrail fixtures, broken or poisoned on purpose (wrong types, missing and null fields, 256 KB
 * strings, deep nesting, control and unicode characters, HTML and markdown in user, role and session
 * names, forged envelopes, bodies that are not JSON or not objects).
 *
 * The handler runs over in-memory ports and the real diagnoser on an account snapshot: the seed's
 * account plus a few users and roles with hostile names (some legal in IAM, like `@here`, some no IAM
 * would accept, standing in for a forged record). No emulator: this suite runs in `npm test`.
 *
 * Per case: the invocation resolves (never throws), nothing goes back to SQS, and the record is
 * acknowledged as invalid or not applicable with the reason the logger port received, or diagnosed.
 * Every message published is checked in each form: the email and the short text carry no control
 * characters, the Chatbot notification passes the validator and its markdown shows the hostile text
 * escaped (no `<`, no broadcast mention, no markdown outside code spans, no injected line), and the
 * review page the message links to, served by the real approval handler, holds no raw markup.
 */
import type { NotApplicableWhy } from '../../../lambda/core/diagnosis/types';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import type { NotApplicableCode } from '../../../lambda/core/denial';
import { linkMacOf } from '../../support/link-tokens';
import type { IncidentRecord } from '../../../lambda/core/incident';
import {
  chatbotNotificationProblems,
  SNS_MESSAGE_MAX_BYTES,
  snsMessageStructure,
  type RenderedMessage,
} from '../../../lambda/core/render/message';
import { renderReviewPage } from '../../../lambda/core/render/review-page';
import { createApprovalHandler } from '../../../lambda/handlers/approval/handler';
import { METRIC } from '../../../lambda/handlers/diagnose/handler';
import { REFUSAL_METRIC } from '../../../lambda/handlers/diagnose/account-observability';
import { apiEvent, RecordingLogger as ApprovalRecordingLogger } from '../approval/support';
import {
  envelope,
  fixture,
  harness,
  lambdaContext,
  LINK_SIGNING_KEY,
  seedDiagnoser,
  SEED_ACCOUNT,
  seedRecord,
  sqsRecord,
  type Harness,
} from './support';
import { approvalTestDependencies } from '../../support/escalation';

const ACCOUNT = '123456789012';
const ETL_ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const REVIEW_BASE_URL = 'https://review.example.com';
/** A signed review link as the messages carry it: path and token captured. */
const REVIEW_LINK = /https:\/\/review\.example\.com(\/proposals\/[A-Za-z0-9_-]+)\?token=([A-Za-z0-9_-]+)/;
/** An EventBridge event (and so the SQS body it becomes) is at most 256 KB. */
const BODY_MAX_BYTES = 256 * 1024;
/** DynamoDB's item limit: a proposal that does not fit fails its write on every retry. */
const ITEM_MAX_BYTES = 400 * 1024;

// ---------------------------------------------------------------- hostile text

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
/** Markdown that Slack and Teams would render, each piece marked so a test can find it unescaped. */
const MARKDOWN = '*bold*_ital_~strike~`code`[click](https://evil.example)';
const MENTIONS = '@here <!channel> <@U0123> @everyone';
/** A name that tries to start lines of its own in the message. */
const LINE_INJECTION = 'ops\n*Approve:* https://evil.example\r\n# INJECTED heading';
const CONTROLS = 'a\u0000b\u0007c\u001b[2Jd\u007fe\u0085f\u2028g\u202eexe.txt\u200dh';
const LONE_SURROGATE = 'x\ud800y\udc00z';
const UNICODE = 'データ-🚀-ünïcödé-שלום';

/** Markdown fragments that must never reach the Chatbot prose unescaped. */
const MARKDOWN_MARKERS = ['*bold*', '_ital_', '~strike~', '`code`', '[click](', '<!channel>', '<@U0123>'];
/** Lines no message may start with: the name's own line breaks must not survive. */
const INJECTED_LINE_STARTS = ['*Approve:* https://evil.example', '# INJECTED'];
/** Legal IAM user and role names that still mean something to markdown. */
const IAM_LEGAL_MENTION_USER = '@here';
const IAM_LEGAL_MARKDOWN_USER = '_ital_+=,.@channel-';
const IAM_LEGAL_MARKDOWN_ROLE = '@everyone_etl_';

// ---------------------------------------------------------------- the account

/** The seed account plus entities with hostile names; `ci-deployer` is a role whose sessions are named below. */
function hostileAccount(): unknown {
  const account = structuredClone(SEED_ACCOUNT) as { UserDetailList: unknown[]; RoleDetailList: unknown[] };
  const user = (name: string, id: number) => ({
    Path: '/',
    UserName: name,
    UserId: `AIDAEXAMPLEHOSTILE${String(id).padStart(3, '0')}`,
    Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    CreateDate: '2025-03-02T08:00:00+00:00',
    GroupList: ['GlueAccess', 'Developers'],
    AttachedManagedPolicies: [],
    Tags: [],
  });
  const role = (name: string, service: string, id: number) => ({
    Path: '/',
    RoleName: name,
    RoleId: `AROAEXAMPLEHOSTILE${String(id).padStart(3, '0')}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    CreateDate: '2025-03-01T08:00:00+00:00',
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    },
    InstanceProfileList: [],
    RolePolicyList: [],
    AttachedManagedPolicies: [],
    Tags: [],
    RoleLastUsed: {},
  });
  account.UserDetailList.push(
    user(IAM_LEGAL_MENTION_USER, 1),
    user(IAM_LEGAL_MARKDOWN_USER, 2),
    // No IAM accepts these names; a snapshot can hold them, and a forged record can carry them.
    user(IMG, 3),
    user(SCRIPT, 4),
  );
  account.RoleDetailList.push(
    role('ci-deployer', 'codebuild.amazonaws.com', 1),
    role(IAM_LEGAL_MARKDOWN_ROLE, 'glue.amazonaws.com', 2),
  );
  return account;
}

const HOSTILE_ACCOUNT = hostileAccount();

// ---------------------------------------------------------------- records

type CloudTrailRecord = Record<string, unknown>;

/** The seed denial (mei.tanaka, Glue UpdateJob, etl-nightly-runtime), changed by `mutate`. */
let eventNumber = 0;
function seed(mutate: (record: CloudTrailRecord) => void = () => undefined): CloudTrailRecord {
  // Each its own CloudTrail event: run together, no case is taken for a redelivery of another.
  const record = seedRecord(`evt-hostile-${++eventNumber}`);
  mutate(record);
  return record;
}

function identityOf(record: CloudTrailRecord): Record<string, unknown> {
  return record['userIdentity'] as Record<string, unknown>;
}

/** The seed denial made by user `name` (who must be in the account to be diagnosed). */
function userDenial(name: string): CloudTrailRecord {
  const arn = `arn:aws:iam::${ACCOUNT}:user/${name}`;
  return seed((record) => {
    Object.assign(identityOf(record), { arn, userName: name });
    record['errorMessage'] = String(record['errorMessage']).replace(
      `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
      arn,
    );
  });
}

/** The seed denial of passing role `name` instead of etl-nightly-runtime. */
function roleDenial(name: string): CloudTrailRecord {
  return JSON.parse(
    JSON.stringify(seed()).replaceAll('role/etl-nightly-runtime', `role/${name}`),
  ) as CloudTrailRecord;
}

/** A session of the role ci-deployer named `session`, denied passing etl-nightly-runtime to Glue. */
function sessionDenial(session: string, mentionInMessage = true): CloudTrailRecord {
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/${session}`;
  return seed((record) => {
    record['userIdentity'] = {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEHOSTILE001:${session}`,
      arn,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEHOSTILE001',
          arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`,
          accountId: ACCOUNT,
          userName: 'ci-deployer',
        },
        attributes: { creationDate: '2026-06-17T01:58:11Z', mfaAuthenticated: 'false' },
      },
    };
    const who = mentionInMessage ? arn : `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/session`;
    record['errorMessage'] =
      `User: ${who} is not authorized to perform: iam:PassRole on resource: ${ETL_ROLE} ` +
      'because no identity-based policy allows the iam:PassRole action';
  });
}

function body(record: CloudTrailRecord, envelopeOverrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...envelope(record), ...envelopeOverrides });
}

/**
 * A body of (almost exactly) 256 KB: `build` puts the filler in the record, once or more; the filler
 * is as long as the body's limit allows.
 */
function filledTo256KB(build: (filler: string) => string): string {
  const overhead = Buffer.byteLength(build(''));
  const occurrences = (Buffer.byteLength(build('A'.repeat(1000))) - overhead) / 1000;
  const filled = build('A'.repeat(Math.floor((BODY_MAX_BYTES - overhead) / occurrences)));
  expect(Buffer.byteLength(filled)).toBeLessThanOrEqual(BODY_MAX_BYTES);
  expect(Buffer.byteLength(filled)).toBeGreaterThan(BODY_MAX_BYTES - 64);
  return filled;
}

function nested(depth: number, leaf: string): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

// ---------------------------------------------------------------- the cases

/** `refused`: a denial of another account than this deployment's, acknowledged and never read. */
type Outcome = 'invalid' | 'not-applicable' | 'unprocessable' | 'proposal' | 'report' | 'refused';

interface HostileCase {
  name: string;
  /** The SQS message body, exactly as delivered. */
  body: string;
  outcome: Outcome;
  /** What the log must give as the reason (invalid, unprocessable, a diagnosis not applicable). */
  reason?: RegExp;
  /** The code the log must give for a record that is not an iam:PassRole denial, or not diagnosable. */
  code?: NotApplicableCode | NotApplicableWhy['code'];
  /** Hostile text, as each form must show it escaped, proving the text reached the message. */
  shows?: { chatbot?: string; email?: string; page?: string };
}

function cases(): HostileCase[] {
  const seedBody = body(seed());
  const list: HostileCase[] = [
    // ------------------------------------------------ SQS bodies that are not JSON
    { name: 'empty body', body: '', outcome: 'invalid', reason: /not JSON.*SyntaxError/ },
    {
      name: 'plain text body',
      body: 'iam:PassRole denied, trust me',
      outcome: 'invalid',
      reason: /not JSON/,
    },
    { name: 'envelope cut short', body: seedBody.slice(0, 300), outcome: 'invalid', reason: /not JSON/ },
    {
      name: 'XML body',
      body: '<Event><detail-type>AWS API Call via CloudTrail</detail-type></Event>',
      outcome: 'invalid',
      reason: /not JSON/,
    },
    {
      name: 'byte-order mark before the JSON',
      body: `\ufeff${seedBody}`,
      outcome: 'invalid',
      reason: /not JSON/,
    },
    { name: 'NaN', body: 'NaN', outcome: 'invalid', reason: /not JSON/ },
    {
      name: 'single-quoted pseudo JSON',
      body: "{'detail-type': 'AWS API Call via CloudTrail'}",
      outcome: 'invalid',
      reason: /not JSON/,
    },
    { name: 'JSON followed by garbage', body: `${seedBody}}`, outcome: 'invalid', reason: /not JSON/ },

    // ------------------------------------------------ JSON that is not an object
    { name: 'null', body: 'null', outcome: 'invalid', reason: /got null/ },
    { name: 'a number', body: '42', outcome: 'invalid', reason: /got a number/ },
    { name: 'a string', body: '"AWS API Call via CloudTrail"', outcome: 'invalid', reason: /got a string/ },
    { name: 'a boolean', body: 'true', outcome: 'invalid', reason: /got a boolean/ },
    { name: 'an empty array', body: '[]', outcome: 'invalid', reason: /got an array \(wrap records/ },
    { name: 'an array of envelopes', body: `[${seedBody}]`, outcome: 'invalid', reason: /got an array/ },

    // ------------------------------------------------ envelopes of the wrong shape
    {
      name: 'detail-type a number',
      body: body(seed(), { 'detail-type': 7 }),
      outcome: 'invalid',
      reason: /detail-type is a number/,
    },
    {
      name: 'detail-type of a service event (forged)',
      body: body(seed(), { 'detail-type': 'AWS Service Event via CloudTrail' }),
      outcome: 'not-applicable',
      code: 'not-an-api-call-event',
    },
    {
      name: 'detail-type of a console sign-in',
      body: body(seed(), { 'detail-type': 'AWS Console Sign In via CloudTrail' }),
      outcome: 'not-applicable',
      code: 'not-an-api-call-event',
    },
    {
      name: 'detail null',
      body: body(seed(), { detail: null }),
      outcome: 'invalid',
      reason: /detail is null/,
    },
    {
      name: 'detail the record as a JSON string',
      body: body(seed(), { detail: JSON.stringify(seed()) }),
      outcome: 'invalid',
      reason: /detail is a string/,
    },
    {
      name: 'detail an array of records',
      body: body(seed(), { detail: [seed()] }),
      outcome: 'invalid',
      reason: /detail is an array/,
    },
    {
      name: 'detail a log file inside an envelope',
      body: body(seed(), { detail: { Records: [seed()] } }),
      outcome: 'invalid',
      reason: /not a CloudTrail record: it has none of eventSource/,
    },
    {
      name: 'Records an object',
      body: JSON.stringify({ Records: { 0: seed() } }),
      outcome: 'invalid',
      reason: /Records is an object/,
    },
    {
      name: 'Records of null, a number and a string',
      body: JSON.stringify({ Records: [null, 7, 'x'] }),
      outcome: 'invalid',
      reason: /expected a CloudTrail record \(an object\), got null/,
    },

    // ------------------------------------------------ fields of the wrong type, missing or null
    {
      name: 'eventSource missing',
      body: body(seed((record) => delete record['eventSource'])),
      outcome: 'invalid',
      reason: /eventSource is missing/,
    },
    {
      name: 'eventSource a number',
      body: body(seed((record) => (record['eventSource'] = 443))),
      outcome: 'invalid',
      reason: /eventSource is a number/,
    },
    {
      name: 'eventName null',
      body: body(seed((record) => (record['eventName'] = null))),
      outcome: 'invalid',
      reason: /eventName is null/,
    },
    {
      name: 'eventName empty',
      body: body(seed((record) => (record['eventName'] = ''))),
      outcome: 'invalid',
      reason: /eventName is empty/,
    },
    {
      name: 'userIdentity missing',
      body: body(seed((record) => delete record['userIdentity'])),
      outcome: 'invalid',
      reason: /userIdentity is missing/,
    },
    {
      name: 'userIdentity a string',
      body: body(seed((record) => (record['userIdentity'] = 'mei.tanaka'))),
      outcome: 'invalid',
      reason: /userIdentity is a string/,
    },
    {
      name: 'userIdentity null',
      body: body(seed((record) => (record['userIdentity'] = null))),
      outcome: 'invalid',
      reason: /userIdentity is null/,
    },
    {
      name: 'userIdentity.arn an array',
      body: body(
        seed((record) => (identityOf(record)['arn'] = ['arn:aws:iam::123456789012:user/mei.tanaka'])),
      ),
      outcome: 'invalid',
      reason: /userIdentity.arn is an array/,
    },
    {
      name: 'errorCode a number',
      body: body(seed((record) => (record['errorCode'] = 403))),
      outcome: 'invalid',
      reason: /errorCode is a number/,
    },
    {
      name: 'errorMessage an object',
      body: body(seed((record) => (record['errorMessage'] = { text: String(record['errorMessage']) }))),
      outcome: 'invalid',
      reason: /errorMessage is an object/,
    },
    {
      name: 'eventID a number',
      body: body(seed((record) => (record['eventID'] = 12345))),
      outcome: 'invalid',
      reason: /eventID is a number/,
    },
    {
      name: 'requestParameters a string',
      body: body(seed((record) => (record['requestParameters'] = '{"jobName":"x"}'))),
      outcome: 'invalid',
      reason: /requestParameters is a string/,
    },
    {
      name: 'every field null',
      body: body(Object.fromEntries(Object.keys(seed()).map((key) => [key, null]))),
      outcome: 'invalid',
      reason: /eventSource is null/,
    },
    {
      name: 'errorCode missing: the call succeeded',
      body: body(seed((record) => delete record['errorCode'])),
      outcome: 'not-applicable',
      code: 'not-an-error',
    },
    {
      name: 'errorCode null',
      body: body(seed((record) => (record['errorCode'] = null))),
      outcome: 'not-applicable',
      code: 'not-an-error',
    },
    {
      name: 'errorMessage missing',
      body: body(seed((record) => delete record['errorMessage'])),
      outcome: 'not-applicable',
      code: 'no-error-message',
    },
    {
      name: 'errorCode of a throttled call',
      body: body(
        seed((record) => {
          record['errorCode'] = 'ThrottlingException';
          record['errorMessage'] = 'Rate exceeded';
        }),
      ),
      outcome: 'not-applicable',
      code: 'not-authorization-failure',
    },
    {
      name: 'another action denied',
      body: body(
        seed(
          (record) =>
            (record['errorMessage'] = String(record['errorMessage']).replace('iam:PassRole', 's3:GetObject')),
        ),
      ),
      outcome: 'not-applicable',
      code: 'not-passrole',
    },
    {
      name: 'eventID missing',
      body: body(seed((record) => delete record['eventID'])),
      outcome: 'invalid',
      reason: /without eventID/,
    },
    {
      name: 'eventID empty',
      body: body(seed((record) => (record['eventID'] = ''))),
      outcome: 'invalid',
      reason: /without eventID/,
    },
    {
      name: 'eventID blank',
      body: body(seed((record) => (record['eventID'] = ' \t '))),
      outcome: 'invalid',
      reason: /eventID " \\t " \(3 characters\) is not a CloudTrail event ID/,
    },
    {
      name: 'awsRegion missing',
      body: body(seed((record) => delete record['awsRegion'])),
      outcome: 'invalid',
      reason: /without awsRegion/,
    },
    {
      name: 'no account anywhere',
      body: body(
        seed((record) => {
          delete record['recipientAccountId'];
          const identity = identityOf(record);
          delete identity['accountId'];
          delete identity['arn'];
          record['errorMessage'] =
            'User: mei.tanaka is not authorized to perform: iam:PassRole on resource: etl-nightly-runtime';
        }),
      ),
      outcome: 'invalid',
      reason: /the account is unknown/,
    },
    {
      name: 'userIdentity.type missing',
      body: body(seed((record) => delete identityOf(record)['type'])),
      outcome: 'not-applicable',
      code: 'principal-unknown',
    },
    {
      name: 'no role named anywhere',
      body: body(
        seed((record) => {
          record['errorMessage'] = String(record['errorMessage']).replace(`on resource: ${ETL_ROLE} `, '');
          record['requestParameters'] = { jobName: 'nightly-orders-etl' };
        }),
      ),
      outcome: 'not-applicable',
      code: 'role-not-named',
    },
    {
      name: 'a CloudTrail Insights event',
      body: body(seed((record) => (record['eventType'] = 'AwsCloudTrailInsight'))),
      outcome: 'not-applicable',
      code: 'insights-event',
    },

    // ------------------------------------------------ 256 KB strings and deep nesting
    {
      name: '256 KB errorMessage',
      body: filledTo256KB((filler) =>
        body(seed((record) => (record['errorMessage'] = `${String(record['errorMessage'])} ${filler}`))),
      ),
      outcome: 'proposal',
    },
    {
      name: '256 KB userAgent',
      body: filledTo256KB((filler) => body(seed((record) => (record['userAgent'] = filler)))),
      outcome: 'proposal',
    },
    {
      name: '256 KB eventName',
      body: filledTo256KB((filler) => body(seed((record) => (record['eventName'] = `UpdateJob${filler}`)))),
      outcome: 'invalid',
      reason: /an iam:PassRole denial whose eventName is \d+ characters long, over the 2048/,
    },
    {
      name: '256 KB job name in requestParameters',
      body: filledTo256KB((filler) =>
        body(
          seed((record) => ((record['requestParameters'] as Record<string, unknown>)['jobName'] = filler)),
        ),
      ),
      outcome: 'proposal',
    },
    {
      name: '256 KB eventID',
      body: filledTo256KB((filler) => body(seed((record) => (record['eventID'] = `evt-${filler}`)))),
      outcome: 'invalid',
      reason: /eventID "evt-A{36}"… \(\d+ characters\) is not a CloudTrail event ID/,
    },
    {
      name: '256 KB session name',
      body: filledTo256KB((filler) => body(sessionDenial(`s-${filler}`, false))),
      outcome: 'invalid',
      reason: /an iam:PassRole denial whose principalArn is \d+ characters long/,
    },
    {
      // Over EventBridge's 256 KB: a message sent to the queue directly (SQS takes up to 1 MiB).
      name: '300 KB caller ARN',
      body: body(
        seed(
          (record) => (identityOf(record)['arn'] = `arn:aws:iam::${ACCOUNT}:user/${'u'.repeat(300 * 1024)}`),
        ),
      ),
      outcome: 'invalid',
      reason: /an iam:PassRole denial whose principalArn is 307\d{3} characters long/,
    },
    {
      name: '256 KB of whitespace around the envelope',
      body: filledTo256KB((filler) => `${filler.replaceAll('A', ' ')}${seedBody}`),
      outcome: 'proposal',
    },
    {
      name: 'requestParameters 10,000 levels deep',
      body: body(seed()).replace(
        '"requestParameters":{',
        `"requestParameters":{"deep":${nested(10_000, '"x"')},`,
      ),
      outcome: 'proposal',
    },
    {
      name: 'detail 10,000 levels deep',
      body: body(seed(), { detail: 'DEEP' }).replace('"DEEP"', nested(10_000, '1')),
      outcome: 'invalid',
      reason: /it has none of eventSource, eventName and userIdentity/,
    },
    {
      name: 'an array of 100,000 strings in requestParameters',
      body: body(
        seed((record) => {
          (record['requestParameters'] as Record<string, unknown>)['tags'] = Array.from(
            { length: 100_000 },
            (_, index) => `arn:aws:iam::${ACCOUNT}:role/decoy-${index}`,
          );
        }),
      ),
      outcome: 'proposal',
    },

    // ------------------------------------------------ control and unicode characters
    {
      name: 'control characters in the session name',
      body: body(sessionDenial(CONTROLS)),
      outcome: 'proposal',
      shows: { chatbot: '/abc[2Jdefgexe.txt' },
    },
    {
      name: 'lone surrogates in the session name',
      body: body(sessionDenial(LONE_SURROGATE)),
      outcome: 'proposal',
      shows: { chatbot: 'x\ufffdy\ufffdz' },
    },
    {
      name: 'unicode and emoji in the session name',
      body: body(sessionDenial(UNICODE)),
      outcome: 'proposal',
      shows: { chatbot: UNICODE, email: UNICODE },
    },
    {
      name: 'line breaks and control characters in the eventID',
      body: body(seed((record) => (record['eventID'] = 'evt\n\u0000# INJECTED\r\n'))),
      outcome: 'invalid',
      reason: /eventID "evt\\n\\u0000# INJECTED\\r\\n" \(17 characters\) is not a CloudTrail event ID/,
    },
    {
      name: 'CRLF injected into errorMessage',
      body: body(
        seed(
          (record) => (record['errorMessage'] = `${String(record['errorMessage'])}\r\n# INJECTED heading`),
        ),
      ),
      outcome: 'proposal',
    },

    // ------------------------------------------------ HTML and markdown in user, role and session names
    {
      name: 'script tag as the session name',
      body: body(sessionDenial(SCRIPT)),
      outcome: 'proposal',
      shows: { chatbot: '&lt;script&gt;alert(1)&lt;', page: '&lt;script&gt;alert(1)&lt;' },
    },
    {
      name: 'markdown as the session name',
      body: body(sessionDenial(MARKDOWN)),
      outcome: 'proposal',
      shows: { chatbot: 'bold', email: MARKDOWN },
    },
    {
      name: 'broadcast mentions as the session name',
      body: body(sessionDenial(MENTIONS)),
      outcome: 'proposal',
      shows: { chatbot: '@\u200bhere' },
    },
    {
      name: 'line breaks in the session name',
      body: body(sessionDenial(LINE_INJECTION)),
      outcome: 'proposal',
      shows: { chatbot: 'INJECTED heading' },
    },
    {
      name: 'IAM-legal user name @here',
      body: body(userDenial(IAM_LEGAL_MENTION_USER)),
      outcome: 'proposal',
      shows: { chatbot: '@\u200bhere', email: `user/${IAM_LEGAL_MENTION_USER}` },
    },
    {
      name: 'IAM-legal user name with markdown and @channel',
      body: body(userDenial(IAM_LEGAL_MARKDOWN_USER)),
      outcome: 'proposal',
      shows: { chatbot: '`_ital_+=,.@\u200bchannel-`', email: IAM_LEGAL_MARKDOWN_USER },
    },
    {
      name: 'IAM-legal role name with markdown and @everyone',
      body: body(roleDenial(IAM_LEGAL_MARKDOWN_ROLE)),
      outcome: 'proposal',
      shows: { chatbot: '@\u200beveryone', page: IAM_LEGAL_MARKDOWN_ROLE },
    },
    {
      name: 'user named with an img tag (in the snapshot, not IAM-legal)',
      body: body(userDenial(IMG)),
      outcome: 'proposal',
      shows: { chatbot: '&lt;img src=x onerror=alert(1)&gt;', page: '&lt;img src=x onerror=alert(1)&gt;' },
    },
    {
      name: 'user named with a script tag (in the snapshot, not IAM-legal)',
      body: body(userDenial(SCRIPT)),
      outcome: 'proposal',
      shows: { page: '&lt;/script&gt;' },
    },
    {
      name: 'user with markup the account does not hold',
      body: body(userDenial(`<b onmouseover=alert(1)>${MARKDOWN}</b>`)),
      outcome: 'unprocessable',
      reason: /the account data has no IAM entity arn:aws:iam::123456789012:user\/<b onmouseover/,
    },
    {
      name: 'role named with markup in errorMessage and requestParameters',
      body: body(roleDenial(`<svg onload=alert(1)>`)),
      outcome: 'not-applicable',
      code: 'role-not-named',
    },
    {
      name: 'Identity Center role with a hostile permission set name',
      body: body(
        seed((record) => {
          const role = `AWSReservedSSO_${SCRIPT.replace(/\//g, '')}_0123456789abcdef`;
          record['userIdentity'] = {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/mei@example.com`,
            accountId: ACCOUNT,
            sessionContext: {
              sessionIssuer: {
                type: 'Role',
                arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${role}`,
              },
            },
          };
        }),
      ),
      outcome: 'unprocessable',
      reason:
        /no IAM entity arn:aws:iam::123456789012:role\/aws-reserved\/sso.amazonaws.com\/AWSReservedSSO_<script>/,
    },

    // ------------------------------------------------ forged sources
    {
      // Anyone allowed events:PutEvents can put this; only AWS services can use an aws.* source.
      name: 'the seed denial put by an application (source custom.attacker)',
      body: body(seed(), { source: 'custom.attacker' }),
      outcome: 'not-applicable',
      code: 'not-from-aws',
    },
    {
      name: 'source that only looks like AWS (aws-glue)',
      body: body(seed(), { source: 'aws-glue' }),
      outcome: 'not-applicable',
      code: 'not-from-aws',
    },
    {
      name: 'source a number',
      body: body(seed(), { source: 7 }),
      outcome: 'invalid',
      reason: /source is a number, expected a string/,
    },
    {
      name: 'source aws.glue around a Lambda record',
      body: body(
        seed((record) => {
          record['eventSource'] = 'lambda.amazonaws.com';
          record['eventName'] = 'CreateFunction20150331';
          record['requestParameters'] = { functionName: 'f', role: ETL_ROLE };
        }),
        { source: 'aws.glue' },
      ),
      // The record decides, as on AWS (where only CloudTrail puts aws.* events): Lambda, not Glue.
      outcome: 'proposal',
      shows: { chatbot: 'lambda.amazonaws.com' },
    },
    {
      name: 'envelope account differs from the record',
      body: body(seed(), { account: '999999999999', region: 'us-east-1' }),
      outcome: 'proposal',
    },
    {
      name: 'role of another account',
      body: body(
        JSON.parse(
          JSON.stringify(seed()).replaceAll(`${ACCOUNT}:role/`, '999999999999:role/'),
        ) as CloudTrailRecord,
      ),
      outcome: 'report',
      shows: { chatbot: 'another account' },
    },
    {
      // The record was delivered to account 999999999999: a denial of another account, which this
      // deployment neither reads nor reports (it used to report a cross-account pass without reads).
      name: 'recipient account differs from the caller',
      body: body(seed((record) => (record['recipientAccountId'] = '999999999999'))),
      outcome: 'refused',
      reason: /denial acknowledged without a diagnosis: not-this-account/,
    },
    {
      name: 'principal ARN in the aws-cn partition',
      body: body(
        seed((record) => (identityOf(record)['arn'] = `arn:aws-cn:iam::${ACCOUNT}:user/mei.tanaka`)),
      ),
      outcome: 'unprocessable',
      reason: /no IAM entity arn:aws-cn:iam::123456789012:user\/mei.tanaka/,
    },
    {
      name: 'principal ARN in the aws-us-gov partition, role in aws',
      body: body(
        seed((record) => {
          identityOf(record)['arn'] = `arn:aws-us-gov:iam::${ACCOUNT}:user/mei.tanaka`;
          record['errorMessage'] = String(record['errorMessage']).replace(
            'arn:aws:iam',
            'arn:aws-us-gov:iam',
          );
        }),
      ),
      outcome: 'unprocessable',
      reason: /no IAM entity arn:aws-us-gov:iam::123456789012:user\/mei.tanaka/,
    },
    {
      name: 'root forged with markup in its ARN',
      body: body(
        seed((record) => {
          record['userIdentity'] = {
            type: 'Root',
            arn: `arn:aws:iam::${ACCOUNT}:root${SCRIPT}`,
            accountId: ACCOUNT,
          };
        }),
      ),
      outcome: 'report',
      shows: { chatbot: '&lt;script&gt;' },
    },
    {
      name: 'service-linked role session named with markup',
      body: body(
        seed((record) => {
          record['userIdentity'] = {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForGlue/${MARKDOWN}${SCRIPT}`,
            accountId: ACCOUNT,
            sessionContext: {
              sessionIssuer: {
                type: 'Role',
                arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/glue.amazonaws.com/AWSServiceRoleForGlue`,
              },
            },
          };
        }),
      ),
      outcome: 'report',
      shows: { chatbot: '&lt;script&gt;' },
    },
    {
      name: 'fixture 02 (Lambda, assumed role) in an envelope claiming aws.glue',
      body: body(fixture('passrole', '02-lambda-CreateFunction20150331-AssumedRole-service-role-path.json'), {
        source: 'aws.glue',
      }),
      outcome: 'unprocessable',
      reason: /the account data has no IAM entity/,
    },
  ];
  return list;
}

const CASES = cases();

// ---------------------------------------------------------------- checks on what was published

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE_PATTERN = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BROADCAST = /@(here|channel|everyone|group|all)\b/i;
const RAW_TAG = /<\s*\/?\s*(script|img|svg|b|iframe|a)\b/i;

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The markdown with code blocks and inline code removed: what Slack and Teams interpret. */
function proseOf(markdown: string): { prose: string; inlineCode: string[] } {
  const inlineCode: string[] = [];
  const withoutBlocks = markdown.replace(/```[\s\S]*?```/g, ' ');
  // A backtick escaped with a backslash is text, not a delimiter.
  const prose = withoutBlocks.replace(/(?<!\\)`([^`]*)(?<!\\)`/g, (_, code: string) => {
    inlineCode.push(code);
    return ' ';
  });
  return { prose, inlineCode };
}

function linesStartingWithInjection(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => INJECTED_LINE_STARTS.some((start) => line.startsWith(start)));
}

/** What is wrong with one published message; empty when every form is safe. */
function messageProblems(message: RenderedMessage): string[] {
  const problems: string[] = [];
  problems.push(...chatbotNotificationProblems(message.chatbot).map((problem) => `chatbot: ${problem}`));
  const size = Buffer.byteLength(snsMessageStructure(message));
  if (size >= SNS_MESSAGE_MAX_BYTES) problems.push(`SNS message is ${size} bytes`);

  if (!/^[\x20-\x7e]{1,99}$/.test(message.subject))
    problems.push(`subject ${JSON.stringify(message.subject)}`);
  for (const [form, text] of [
    ['email', message.email],
    ['text', message.text],
  ] as const) {
    if (RAW_CONTROL.test(text)) problems.push(`${form} holds a raw control character`);
    if (LONE_SURROGATE_PATTERN.test(text)) problems.push(`${form} holds a lone surrogate`);
    for (const line of linesStartingWithInjection(text))
      problems.push(`${form} has an injected line: ${line}`);
  }
  if (message.text.includes('\n')) problems.push('text is not one line');
  // However long a name, every form keeps the way to decide: the review link and the commands.
  const link = REVIEW_LINK.exec(message.email)?.[0];
  for (const [form, text] of [
    ['text', message.text],
    ['chatbot', stringsIn(message.chatbot).join('\n')],
  ] as const) {
    if (link !== undefined && !text.includes(link)) problems.push(`${form} lost the review link`);
    if (message.email.includes('passrole-doctor approve') && !text.includes('passrole-doctor approve'))
      problems.push(`${form} lost the approve command`);
  }

  const { content, metadata } = message.chatbot;
  for (const [where, text] of [
    ['title', content.title],
    ['summary', metadata.summary],
    ...content.keywords.map((keyword) => ['keyword', keyword] as const),
    ...Object.entries(metadata.additionalContext),
  ]) {
    if (text.includes('\n')) problems.push(`chatbot ${where} is not one line`);
  }
  for (const text of stringsIn(message.chatbot)) {
    if (text.includes('<')) problems.push(`chatbot holds a raw '<': ${text.slice(0, 120)}`);
    if (LONE_SURROGATE_PATTERN.test(text)) problems.push('chatbot holds a lone surrogate');
  }
  // relatedResources are ARNs for the channel's resource links, not markdown (the validator holds
  // them to the ARN pattern): an IAM-legal name such as `@here` stays in them as IAM spells it.
  const rendered = stringsIn({ content, metadata: { ...metadata, relatedResources: [] } });
  for (const text of rendered) {
    if (BROADCAST.test(text)) problems.push(`chatbot holds a broadcast mention: ${text.slice(0, 120)}`);
    for (const line of linesStartingWithInjection(text))
      problems.push(`chatbot has an injected line: ${line}`);
    const { prose, inlineCode } = proseOf(text);
    for (const marker of MARKDOWN_MARKERS) {
      if (prose.includes(marker))
        problems.push(`chatbot prose holds unescaped ${marker}: ${text.slice(0, 160)}`);
    }
    for (const code of inlineCode) {
      if (code.includes('\n')) problems.push(`chatbot inline code spans lines: ${code.slice(0, 80)}`);
    }
  }
  return problems;
}

function pageProblems(html: string): string[] {
  const problems: string[] = [];
  const body = html.slice(html.indexOf('<body>'));
  // The page's own markup uses none of these tags in its body; event text must not add any.
  if (
    RAW_TAG.test(
      body.replace(/<\/?(h1|h2|p|span|dl|dt|dd|ul|li|pre|form|input|button|code|strong)\b[^>]*>/g, ''),
    )
  ) {
    problems.push(`review page holds raw markup: ${RAW_TAG.exec(body)?.[0] ?? ''}`);
  }
  if (/<script/i.test(html)) problems.push('review page holds <script');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(html))
    problems.push('review page holds a control character');
  return problems;
}

// ---------------------------------------------------------------- running a case

interface CaseResult {
  threw: unknown;
  retried: number;
  outcomes: Outcome[];
  logged: string[];
  /** The not-applicable codes the log gave. */
  codes: unknown[];
  messages: RenderedMessage[];
  messageProblems: string[];
  pages: string[];
  pageProblems: string[];
  /** Each stored record, serialized: more than its DynamoDB item, which holds the denial once. */
  storedBytes: number[];
}

function newHarness(): Harness {
  return harness({
    diagnoser: seedDiagnoser(new SnapshotAccountReader(HOSTILE_ACCOUNT, 'hostile-account.json')),
    settings: { reviewBaseUrl: REVIEW_BASE_URL },
  });
}

function outcomesOf(h: Harness): Outcome[] {
  const counted: [Outcome, number][] = [
    ['invalid', h.metrics.total(METRIC.invalidRecords)],
    ['not-applicable', h.metrics.total(METRIC.notApplicable)],
    ['unprocessable', h.metrics.total(METRIC.unprocessableDenials)],
    ['proposal', h.metrics.total(METRIC.proposalsCreated)],
    ['report', h.metrics.total(METRIC.reportsCreated)],
    ['refused', h.metrics.total(REFUSAL_METRIC.total)],
  ];
  return counted.flatMap(([outcome, count]) => Array.from({ length: count }, () => outcome));
}

/** The review pages of the stored records: through the approval handler when the message links one. */
async function reviewPages(h: Harness): Promise<string[]> {
  const approval = createApprovalHandler({
    ...approvalTestDependencies(),
    store: h.store,
    applyTrigger: { requestApply: async () => undefined },
    linkMac: linkMacOf(LINK_SIGNING_KEY),
    logger: new ApprovalRecordingLogger(),
    settings: { approvalMode: 'both' },
    clock: h.clock.now,
  });
  const pages: string[] = [];
  for (const message of h.notifier.messages) {
    const link = REVIEW_LINK.exec(
      // The email: the short text may be cut before its link when a name is very long.
      message.email,
    );
    if (link === null) continue;
    const [, path = '', token = ''] = link;
    const response = await approval(apiEvent('GET', path, { query: { token } }));
    if (response.statusCode !== 200) throw new Error(`review page ${path} answered ${response.statusCode}`);
    pages.push(response.body);
  }
  // Reports have no link (nothing to approve); their page is rendered as the approval function would.
  for (const record of h.store.all().filter((stored: IncidentRecord) => stored.proposal === null)) {
    pages.push(renderReviewPage({ record, history: [], token: null, actionBase: '/x', now: h.clock.now() }));
  }
  return pages;
}

async function runCase(hostile: HostileCase, index: number): Promise<CaseResult> {
  const h = newHarness();
  let threw: unknown = null;
  let retried = 0;
  try {
    const response = await h.handler(
      { Records: [sqsRecord(`hostile-${index}`, hostile.body)] },
      lambdaContext(),
    );
    retried = response.batchItemFailures.length;
  } catch (error) {
    threw = error;
  }
  const logged = h.logger
    .productionLines()
    .map((line) =>
      typeof line.attributes['reason'] === 'string'
        ? `${line.message}: ${line.attributes['reason']}`
        : line.message,
    );
  const codes = h.logger
    .productionLines()
    .flatMap((line) => (line.attributes['code'] === undefined ? [] : [line.attributes['code']]));
  const pages = await reviewPages(h);
  return {
    threw,
    retried,
    outcomes: outcomesOf(h),
    logged,
    codes,
    messages: h.notifier.messages,
    messageProblems: h.notifier.messages.flatMap(messageProblems),
    pages,
    pageProblems: pages.flatMap(pageProblems),
    storedBytes: h.store.all().map((record: IncidentRecord) => Buffer.byteLength(JSON.stringify(record))),
  };
}

// ---------------------------------------------------------------- the suite

describe('diagnose handler: hostile input', () => {
  const results = new Map<string, CaseResult>();

  beforeAll(async () => {
    expect(new Set(CASES.map((hostile) => hostile.name)).size).toBe(CASES.length);
    for (const [index, hostile] of CASES.entries()) results.set(hostile.name, await runCase(hostile, index));
  });

  afterAll(() => {
    const all = [...results.values()];
    const count = (outcome: Outcome) =>
      all.flatMap((result) => result.outcomes).filter((o) => o === outcome).length;
    console.log(
      `hostile input: cases run ${CASES.length}, faults injected 0, ` +
        // Lost: a case neither diagnosed nor acknowledged with its reason (it threw, or was handed back).
        `incidents lost ${all.filter((result) => result.threw !== null || result.retried > 0).length}, ` +
        `policies double-applied 0 (nothing is applied here); not-applicable ${count('not-applicable')}, ` +
        `invalid ${count('invalid')} (+ ${count('unprocessable')} denials of entities the account lacks), ` +
        `refused ${count('refused')} (denials of another account), ` +
        `diagnosed ${count('proposal') + count('report')} (${count('proposal')} proposals, ${count('report')} reports), ` +
        `messages checked ${all.reduce((sum, result) => sum + result.messages.length, 0)}, ` +
        `review pages checked ${all.reduce((sum, result) => sum + result.pages.length, 0)}, ` +
        `threw ${all.filter((result) => result.threw !== null).length}, ` +
        `retried ${all.reduce((sum, result) => sum + result.retried, 0)}`,
    );
  });

  it('has at least 50 cases, of every kind', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    const kinds = new Set(CASES.map((hostile) => hostile.outcome));
    expect([...kinds].sort()).toEqual([
      'invalid',
      'not-applicable',
      'proposal',
      'refused',
      'report',
      'unprocessable',
    ]);
  });

  it.each(CASES.map((hostile) => [hostile.name, hostile] as const))('%s', (_name, hostile) => {
    const result = results.get(hostile.name);
    if (result === undefined) throw new Error(`case ${hostile.name} did not run`);
    expect(result.threw).toBeNull();
    // A permanent problem is acknowledged: never handed back to SQS to be retried.
    expect(result.retried).toBe(0);
    expect(new Set(result.outcomes)).toEqual(new Set([hostile.outcome]));
    if (hostile.reason !== undefined) {
      expect(result.logged).toEqual(expect.arrayContaining([expect.stringMatching(hostile.reason)]));
    }
    if (hostile.code !== undefined) expect(result.codes).toEqual([hostile.code]);

    const diagnosed = hostile.outcome === 'proposal' || hostile.outcome === 'report';
    expect(result.messages).toHaveLength(diagnosed ? 1 : 0);
    expect(result.pages).toHaveLength(diagnosed ? 1 : 0);
    expect(result.messageProblems).toEqual([]);
    expect(result.pageProblems).toEqual([]);
    expect(result.storedBytes).toHaveLength(diagnosed ? 1 : 0);
    for (const bytes of result.storedBytes) expect(bytes).toBeLessThan(ITEM_MAX_BYTES);
    const [message] = result.messages;
    const [page] = result.pages;
    if (hostile.shows?.chatbot !== undefined)
      expect(stringsIn(message?.chatbot).join('\n')).toContain(hostile.shows.chatbot);
    if (hostile.shows?.email !== undefined) expect(message?.email).toContain(hostile.shows.email);
    if (hostile.shows?.page !== undefined) expect(page).toContain(hostile.shows.page);
  });

  it('acknowledges every case together, in SQS batches of 10, without failing a batch', async () => {
    const h = newHarness();
    const records = CASES.map((hostile, index) => sqsRecord(`together-${index}`, hostile.body));
    for (let first = 0; first < records.length; first += 10) {
      const response = await h.handler({ Records: records.slice(first, first + 10) }, lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
    }
    const expected = (outcome: Outcome) =>
      [...results.values()].flatMap((result) => result.outcomes).filter((o) => o === outcome).length;
    expect(h.metrics.total(METRIC.invalidRecords)).toBe(expected('invalid'));
    expect(h.metrics.total(METRIC.unprocessableDenials)).toBe(expected('unprocessable'));
    expect(h.metrics.total(REFUSAL_METRIC.total)).toBe(expected('refused'));
    expect(h.metrics.total(METRIC.errors)).toBe(expected('unprocessable'));
    expect(h.notifier.messages.flatMap(messageProblems)).toEqual([]);
  });
});
