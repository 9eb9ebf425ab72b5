import { parseErrorMessage, readDenials } from '../../../lambda/core/denial';
import { ACCOUNT, USER_ARN, denialOf, denialRecord, only } from './helpers';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m3';
const head = `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: ${ROLE}`;
const IMPLICIT = `${head} because no identity-based policy allows the iam:PassRole action`;
const DENY_ARN = `arn:aws:iam::${ACCOUNT}:policy/DenyPassRole`;
const EXPLICIT_WITH_ARN = `${head} with an explicit deny in an identity-based policy: ${DENY_ARN}`;
const EXPLICIT_SCP = `${head} with an explicit deny in a service control policy`;

/** The tail as the IAM User Guide writes it ("Troubleshoot access denied error messages"). */
function tail(id = ID, region = 'ap-northeast-1', urlId = id): string {
  return (
    `. Go to https://${region}.console.aws.amazon.com/iam/home?region=${region}#/authorization-details/${urlId}` +
    ` for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${id}`
  );
}

/** CloudTrail keeps the first `keep` characters of a long errorMessage and appends '...'. */
const cut = (message: string, keep: number) => `${message.slice(0, keep)}...`;

const readDenial = (errorMessage: string, overrides: Record<string, unknown> = {}) =>
  denialOf(only(readDenials(denialRecord({ errorMessage, ...overrides }), 'denial.json')));

describe('the authorization-details tail', () => {
  it("reads the User Guide's own example: the ID, the console region and the policy ARN before it", () => {
    const message =
      'User: arn:aws:iam::123456789012:user/janedoe is not authorized to perform: iam:CreateInstanceProfile on resource: arn:aws:iam::123456789012:instance-profile/my-instance-profile with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/EXAMPLE1a2b3c4d5e6f7g8h9i0j for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: EXAMPLE1a2b3c4d5e6f7g8h9i0j';
    const parsed = parseErrorMessage(message);
    expect(parsed.authorization).toEqual({
      state: 'complete',
      id: 'EXAMPLE1a2b3c4d5e6f7g8h9i0j',
      consoleRegion: 'us-east-1',
      regionConflict: false,
    });
    expect(parsed.cause).toEqual({
      policyType: 'identity',
      explicit: true,
      policyArn: 'arn:aws:iam::123456789012:policy/ExampleDenyPolicy',
    });
    expect(parsed.resource).toBe('arn:aws:iam::123456789012:instance-profile/my-instance-profile');
  });

  it.each([
    ['an implicit deny', IMPLICIT, { policyType: 'identity', explicit: false, policyArn: null }],
    [
      'an explicit deny with its ARN',
      EXPLICIT_WITH_ARN,
      { policyType: 'identity', explicit: true, policyArn: DENY_ARN },
    ],
    ['an explicit deny without an ARN', EXPLICIT_SCP, { policyType: 'scp', explicit: true, policyArn: null }],
    ['no cause clause', head, { policyType: null, explicit: null, policyArn: null }],
  ])('after %s: the cause and the role read as without the tail', (_, message, cause) => {
    const parsed = parseErrorMessage(`${message}${tail()}`);
    expect(parsed).toMatchObject({
      action: 'iam:PassRole',
      resource: ROLE,
      cause,
      causeCut: false,
      resourceCut: false,
      truncated: false,
    });
    expect(parsed.authorization.id).toBe(ID);
  });

  it('puts the ID and the console region into the denial, with no note', () => {
    const denial = readDenial(`${IMPLICIT}${tail(ID, 'eu-west-1')}`);
    expect(denial).toMatchObject({
      authorizationId: ID,
      authorizationRegion: 'eu-west-1',
      region: 'ap-northeast-1',
    });
    expect(denial.notes).toEqual([]);
  });

  it('leaves both null without a tail', () => {
    expect(readDenial(IMPLICIT)).toMatchObject({ authorizationId: null, authorizationRegion: null });
  });

  it("takes the event's region when the console URL names none", () => {
    const message = `${IMPLICIT}. Go to https://console.aws.amazon.com/iam/home#/authorization-details/${ID} for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${ID}`;
    expect(readDenial(message)).toMatchObject({ authorizationId: ID, authorizationRegion: 'ap-northeast-1' });
  });

  it('reads the region from region= when the host names none', () => {
    const message = `${IMPLICIT}. Go to https://console.aws.amazon.com/iam/home?region=us-west-2#/authorization-details/${ID} for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${ID}`;
    expect(readDenial(message).authorizationRegion).toBe('us-west-2');
  });
});

describe('the tail cut at 1 KB', () => {
  const full = `${EXPLICIT_WITH_ARN}${tail()}`;
  const tailStart = EXPLICIT_WITH_ARN.length;

  it.each([
    ['an explicit deny with its ARN', EXPLICIT_WITH_ARN],
    ['an implicit deny', IMPLICIT],
    ['no cause clause', head],
  ])('after %s: never a prefix for the ID, never the message before it marked cut', (_, message) => {
    const whole = `${message}${tail()}`;
    const uncut = parseErrorMessage(message);
    // Cut at the message's end or right after its '.', an ARN at its end may be cut (IAM names may hold '.').
    for (let keep = message.length + 2; keep < whole.length; keep += 1) {
      const parsed = parseErrorMessage(cut(whole, keep));
      expect([null, ID]).toContain(parsed.authorization.id);
      expect(parsed).toMatchObject({
        truncated: true,
        cause: uncut.cause,
        causeCut: false,
        resource: ROLE,
        resourceCut: false,
      });
    }
    expect(parseErrorMessage(cut(whole, message.length + 1)).authorization.state).toBe('absent');
  });

  it('takes the console URL’s ID once the URL is written in full, and none before', () => {
    const urlEnd = full.indexOf(' for complete details');
    expect(parseErrorMessage(cut(full, urlEnd)).authorization).toMatchObject({ state: 'cut', id: null });
    expect(parseErrorMessage(cut(full, urlEnd + 1)).authorization).toMatchObject({
      state: 'from-url',
      id: ID,
    });
    expect(parseErrorMessage(cut(full, full.length - 1)).authorization).toMatchObject({
      state: 'from-url',
      id: ID,
    });
  });

  it('says the ID is lost when the cut falls before the URL is complete', () => {
    const denial = readDenial(cut(full, tailStart + 40));
    expect(denial).toMatchObject({ authorizationId: null, authorizationRegion: null });
    expect(denial.notes).toContain(
      "errorMessage cut inside AWS's authorization details: the authorization ID is lost, so AWS's record of the evaluation cannot be looked up",
    );
    expect(denial.notes).not.toContain("errorMessage cut before the denying policy's type or ARN");
  });

  it("says where the ID came from when the end's is cut", () => {
    const denial = readDenial(cut(full, full.length - 5));
    expect(denial).toMatchObject({ authorizationId: ID, authorizationRegion: 'ap-northeast-1' });
    expect(denial.notes).toContain(
      `authorization ID '${ID}' taken from the console URL in errorMessage: the ID at its end is cut or missing`,
    );
  });

  it('keeps an ID followed by a period before the cut: it was complete', () => {
    expect(parseErrorMessage(`${full}....`).authorization).toMatchObject({ state: 'complete', id: ID });
  });

  it.each(['. G', '. Go t', '. Go to https:/'])(
    "reads '%s...' as the tail's start, not as a cut cause",
    (lead) => {
      const parsed = parseErrorMessage(`${EXPLICIT_SCP}${lead}...`);
      expect(parsed).toMatchObject({
        cause: { policyType: 'scp', explicit: true, policyArn: null },
        causeCut: false,
        authorization: { state: 'cut', id: null },
      });
    },
  );

  it("still marks a message cut after 'with' without any tail as cut in its cause", () => {
    const parsed = parseErrorMessage(`${head} with...`);
    expect(parsed).toMatchObject({ causeCut: true, authorization: { state: 'absent' } });
  });
});

describe('tails that are not to be trusted', () => {
  it('uses neither ID when the console URL and the end name different ones', () => {
    const denial = readDenial(`${IMPLICIT}${tail(ID, 'ap-northeast-1', 'zz99')}`);
    expect(denial).toMatchObject({ authorizationId: null, authorizationRegion: null });
    expect(denial.notes).toContain(
      "errorMessage names two different authorization IDs (its console URL's and the one at its end): neither is used",
    );
  });

  it("falls back to the event's region when the console region is outside the event's partition", () => {
    const denial = readDenial(`${IMPLICIT}${tail(ID, 'cn-north-1')}`);
    expect(denial).toMatchObject({ authorizationId: ID, authorizationRegion: 'ap-northeast-1' });
    expect(denial.notes).toContain(
      "the console URL in errorMessage names region cn-north-1, outside the event's partition aws: AWS's record is looked up in ap-northeast-1",
    );
  });

  it("falls back to the event's region when the URL's host and region= disagree", () => {
    const message = `${IMPLICIT}. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=eu-west-1#/authorization-details/${ID} for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${ID}`;
    const denial = readDenial(message);
    expect(denial.authorizationRegion).toBe('ap-northeast-1');
    expect(denial.notes).toContain(
      "the console URL in errorMessage names two regions: AWS's record is looked up in ap-northeast-1",
    );
  });

  it.each([
    ['a hostname', 'evil.example.com#'],
    ['a path', 'us-east-1/../x'],
    ['a word', 'console'],
  ])('never takes %s for a region', (_, region) => {
    const message = `${IMPLICIT}. Go to https://x.console.aws.amazon.com/iam/home?region=${encodeURIComponent(region)}#/authorization-details/${ID} for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ${ID}`;
    expect(readDenial(message).authorizationRegion).toBe('ap-northeast-1');
  });

  it('takes no ID of characters the service never writes', () => {
    const parsed = parseErrorMessage(
      `${IMPLICIT}. Go to https://us-east-1.console.aws.amazon.com/iam/home for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: ../../x`,
    );
    expect(parsed.authorization).toMatchObject({ state: 'unreadable', id: null });
  });

  it("ignores 'Go to https://' inside a word", () => {
    const parsed = parseErrorMessage(`${IMPLICIT}xGo to https://a/#/authorization-details/${ID}`);
    expect(parsed.authorization.state).toBe('absent');
  });
});
