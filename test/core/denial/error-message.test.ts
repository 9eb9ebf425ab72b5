import { parseErrorMessage } from '../../../lambda/core/denial';

const USER = 'arn:aws:sts::123456789012:assumed-role/deploy/ci';
const ROLE = 'arn:aws:iam::123456789012:role/service-role/runtime';
const head = `User: ${USER} is not authorized to perform: iam:PassRole on resource: ${ROLE}`;

describe('parseErrorMessage: the standard grammar', () => {
  it('reads the caller, the action and the role', () => {
    const parsed = parseErrorMessage(
      `${head} because no identity-based policy allows the iam:PassRole action`,
    );
    expect(parsed).toMatchObject({
      principal: USER,
      action: 'iam:PassRole',
      resource: ROLE,
      truncated: false,
    });
    expect(parsed.encoded).toBeNull();
  });

  it.each([
    ['identity-based policy', 'identity'],
    ['service control policy', 'scp'],
    ['resource control policy', 'rcp'],
    ['permissions boundary', 'boundary'],
    ['session policy', 'session'],
    ['resource-based policy', 'resource'],
    ['VPC endpoint policy', 'vpc-endpoint'],
  ])("'because no %s allows' is an implicit deny by %s", (phrase, type) => {
    const parsed = parseErrorMessage(`${head} because no ${phrase} allows the iam:PassRole action`);
    expect(parsed.cause).toEqual({ policyType: type, explicit: false, policyArn: null });
  });

  it.each([
    ['an identity-based policy', 'identity'],
    ['a service control policy', 'scp'],
    ['a resource control policy', 'rcp'],
    ['a permissions boundary', 'boundary'],
    ['a session policy', 'session'],
    ['a resource-based policy', 'resource'],
    ['a VPC endpoint policy', 'vpc-endpoint'],
  ])("'with an explicit deny in %s' is an explicit deny by %s", (phrase, type) => {
    const parsed = parseErrorMessage(`${head} with an explicit deny in ${phrase}`);
    expect(parsed.cause).toEqual({ policyType: type, explicit: true, policyArn: null });
  });

  it('keeps the denying policy ARN that follows the type', () => {
    const scp = 'arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-12345678';
    expect(
      parseErrorMessage(`${head} with an explicit deny in a service control policy: ${scp}`).cause,
    ).toEqual({
      policyType: 'scp',
      explicit: true,
      policyArn: scp,
    });
    const managed = 'arn:aws:iam::123456789012:policy/DenyPassRole';
    expect(
      parseErrorMessage(`${head} with an explicit deny in an identity-based policy: ${managed}.`).cause
        .policyArn,
    ).toBe(managed);
  });

  it('leaves the cause unknown when the message gives none, and ignores a trailing period', () => {
    const parsed = parseErrorMessage(`${head}.`);
    expect(parsed.resource).toBe(ROLE);
    expect(parsed.cause).toEqual({ policyType: null, explicit: null, policyArn: null });
  });

  it("reads an explicit deny without a policy type ('with an explicit deny')", () => {
    expect(parseErrorMessage(`${head} with an explicit deny`).cause).toEqual({
      policyType: null,
      explicit: true,
      policyArn: null,
    });
  });

  it.each([
    ['role/x', 'role/x'],
    ['role x', 'role/x'],
    ['role/service-role/x', 'role/service-role/x'],
    ['*', '*'],
  ])("keeps the short resource form '%s' as '%s' for the reader to expand", (written, kept) => {
    const parsed = parseErrorMessage(
      `User: ${USER} is not authorized to perform: iam:PassRole on resource: ${written} because no identity-based policy allows the iam:PassRole action`,
    );
    expect(parsed.resource).toBe(kept);
    expect(parsed.cause.policyType).toBe('identity');
  });

  it('unquotes a quoted resource', () => {
    const parsed = parseErrorMessage(
      `User: ${USER} is not authorized to perform: iam:PassRole on resource: "${ROLE}" because no identity-based policy allows the iam:PassRole action`,
    );
    expect(parsed.resource).toBe(ROLE);
  });

  it.each([
    `User: ${USER} is not authorized to perform: iam:PassRole.`,
    `User: ${USER} is not authorized to perform: iam:PassRole because no identity-based policy allows the iam:PassRole action`,
  ])('reads a message without a resource: %s', (message) => {
    const parsed = parseErrorMessage(message);
    expect(parsed.action).toBe('iam:PassRole');
    expect(parsed.resource).toBeNull();
  });

  it('reads other actions so that the reader can say what was denied', () => {
    expect(
      parseErrorMessage(
        `User: ${USER} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/x`,
      ).action,
    ).toBe('sts:AssumeRole');
  });

  it("recognises Lambda's and ECS's 'Cross-account pass role is not allowed.'", () => {
    const parsed = parseErrorMessage('Cross-account pass role is not allowed.');
    expect(parsed.crossAccountPassRole).toBe(true);
    expect(parsed.action).toBeNull();
  });

  it("gives nothing for S3's bare 'Access Denied'", () => {
    expect(parseErrorMessage('Access Denied')).toMatchObject({
      principal: null,
      action: null,
      resource: null,
    });
  });
});

describe("parseErrorMessage: EC2's forms", () => {
  const prefix = 'You are not authorized to perform this operation.';

  it('reads the plain part and the encoded message after it', () => {
    const parsed = parseErrorMessage(
      `${prefix} ${head} because no identity-based policy allows the iam:PassRole action. Encoded authorization failure message: AbC-12_xyz`,
    );
    expect(parsed).toMatchObject({
      action: 'iam:PassRole',
      resource: ROLE,
      encoded: { blob: 'AbC-12_xyz', complete: true },
    });
    expect(parsed.cause).toEqual({ policyType: 'identity', explicit: false, policyArn: null });
  });

  it('reads the encoded-only form: no action, a complete blob', () => {
    const parsed = parseErrorMessage(`${prefix} Encoded authorization failure message: AbC-12_xyz`);
    expect(parsed).toMatchObject({
      action: null,
      actionCut: false,
      encoded: { blob: 'AbC-12_xyz', complete: true },
    });
  });

  it('marks a blob cut at 1 KB as incomplete', () => {
    const parsed = parseErrorMessage(`${prefix} Encoded authorization failure message: AbC-12_xyz...`);
    expect(parsed.truncated).toBe(true);
    expect(parsed.encoded).toEqual({ blob: 'AbC-12_xyz', complete: false });
  });

  it('marks the blob lost when the cut falls inside the marker', () => {
    const parsed = parseErrorMessage(
      `${prefix} ${head} because no identity-based policy allows it. Encoded authoriz...`,
    );
    expect(parsed.encoded).toEqual({ blob: '', complete: false });
    expect(parsed.resource).toBe(ROLE);
  });
});

describe('parseErrorMessage: messages cut at 1 KB', () => {
  it('marks a resource that reaches the cut', () => {
    const parsed = parseErrorMessage(
      `User: ${USER} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/long/pa...`,
    );
    expect(parsed).toMatchObject({
      truncated: true,
      resourceCut: true,
      resource: 'arn:aws:iam::123456789012:role/long/pa',
    });
    expect(parsed.causeCut).toBe(true);
  });

  it('marks an action that reaches the cut as unknown', () => {
    const parsed = parseErrorMessage(`User: ${USER} is not authorized to perform: iam:Pas...`);
    expect(parsed).toMatchObject({ action: null, actionCut: true });
  });

  it('marks a cause cut before its policy type', () => {
    const parsed = parseErrorMessage(`${head} because no ident...`);
    expect(parsed.resourceCut).toBe(false);
    expect(parsed.cause).toEqual({ policyType: null, explicit: false, policyArn: null });
    expect(parsed.causeCut).toBe(true);
  });

  it('marks a policy ARN cut at the end', () => {
    const parsed = parseErrorMessage(
      `${head} with an explicit deny in a service control policy: arn:aws:organizations::9999...`,
    );
    expect(parsed.cause).toEqual({ policyType: 'scp', explicit: true, policyArn: null });
    expect(parsed.causeCut).toBe(true);
  });

  it("marks a cause clause cut in its first word ('bec...')", () => {
    expect(parseErrorMessage(`${head} bec...`).causeCut).toBe(true);
  });

  it('keeps a complete message complete', () => {
    const parsed = parseErrorMessage(
      `${head} because no identity-based policy allows the iam:PassRole action`,
    );
    expect(parsed).toMatchObject({ truncated: false, resourceCut: false, causeCut: false, actionCut: false });
  });
});
