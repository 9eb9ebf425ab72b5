import { decodePage } from '../../../../lambda/adapters/aws/iam-toolbox/decode-output';
import {
  iamToolboxEndpoint,
  iamToolboxEndpointFromEnv,
} from '../../../../lambda/adapters/aws/iam-toolbox/endpoint';
import {
  OUTPUT_SHAPE,
  OUTPUT_SHAPES,
  shapeProblem,
} from '../../../../lambda/adapters/aws/iam-toolbox/wire-model';
import { OPERATION, SERVICE_MODEL, modelShapes } from '../../../support/iam-toolbox/service-model';

describe("the adapter's shapes are the model's", () => {
  it('holds every output shape of the model, as the model writes it', () => {
    const fromModel = modelShapes(OPERATION.output.shape);
    // One deliberate difference: PolicyType is read open, a later type kept as written.
    expect(fromModel['PolicyType']).toEqual({
      type: 'string',
      enum: [
        'IDENTITY_BASED_POLICY',
        'RESOURCE_BASED_POLICY',
        'PERMISSIONS_BOUNDARY',
        'SESSION_POLICY',
        'SERVICE_CONTROL_POLICY',
        'RESOURCE_CONTROL_POLICY',
        'VPC_ENDPOINT_POLICY',
      ],
    });
    expect(OUTPUT_SHAPES).toEqual({ ...fromModel, PolicyType: { type: 'string' } });
    expect(OUTPUT_SHAPE).toBe(OPERATION.output.shape);
  });

  it("signs and routes as the model's metadata says", () => {
    expect(SERVICE_MODEL.metadata).toMatchObject({
      signingName: 'iam',
      endpointPrefix: 'iam-toolbox',
      protocol: 'rest-json',
    });
    expect(OPERATION.http).toMatchObject({
      method: 'GET',
      requestUri: '/authorization-details/{authorizationId}',
    });
  });
});

describe('shapeProblem', () => {
  const shapes = modelShapes(OPERATION.output.shape);
  const check = (value: unknown, strict = false) => shapeProblem(shapes, OUTPUT_SHAPE, value, { strict });
  const minimal = { requestContext: {}, evaluations: [], policies: [] };

  it('reads patterns unanchored, as Smithy does', () => {
    const attached = (arn: string) => ({ ...minimal, policies: [{ attachedTo: [{ arn }] }] });
    expect(check(attached('x arn:aws:iam::1:user/a'))).toBeNull();
    expect(check(attached('urn:x'))).toMatch(/does not match/);
  });

  it('reads a null member as absent, and a null required member as missing', () => {
    expect(check({ ...minimal, nextToken: null })).toBeNull();
    expect(check({ ...minimal, evaluations: null })).toBe('$.evaluations: missing');
  });

  it('ignores members the model does not name, unless strict', () => {
    expect(check({ ...minimal, later: 1 })).toBeNull();
    expect(check({ ...minimal, later: 1 }, true)).toBe(
      '$.later: not a member of GetRequestAuthorizationDetailsOutput',
    );
  });

  it('takes any JSON as a document, and checks map values', () => {
    expect(check({ ...minimal, requestContext: { a: { b: [1, null] }, c: null } })).toBeNull();
    expect(check({ ...minimal, requestContext: [] })).toBe('$.requestContext: expected a map, got a list');
  });

  it('never takes an inherited property for a member', () => {
    expect(check({ ...minimal, evaluations: [{ action: 'a', resource: '', constructor: 1 }] }, true)).toBe(
      '$.evaluations[0].constructor: not a member of Evaluation',
    );
  });
});

describe('decodePage', () => {
  it('keeps nested document values as their JSON and drops nulls', () => {
    const decoded = decodePage({
      requestContext: { a: { b: 1 }, list: [1, null, 'x', { y: true }], gone: null },
      evaluations: [],
      policies: [{}],
      nextToken: '',
    });
    expect(decoded).toEqual({
      kind: 'page',
      page: {
        requestContext: { a: '{"b":1}', list: ['1', 'x', '{"y":true}'] },
        evaluations: [],
        policies: [{ type: null, awsType: null, inline: null, uri: '', attachedTo: [] }],
        nextToken: null,
      },
    });
  });

  it('keeps a context key named __proto__ as a key', () => {
    const decoded = decodePage(
      JSON.parse('{"requestContext":{"__proto__":"x"},"evaluations":[],"policies":[]}'),
    );
    expect(decoded.kind === 'page' && Object.keys(decoded.page.requestContext)).toEqual(['__proto__']);
  });
});

describe('iamToolboxEndpoint', () => {
  it.each([
    ['us-east-1', 'https://iam-toolbox.us-east-1.amazonaws.com/'],
    ['cn-northwest-1', 'https://iam-toolbox.cn-northwest-1.amazonaws.com.cn/'],
    ['us-gov-west-1', 'https://iam-toolbox.us-gov-west-1.amazonaws.com/'],
  ])('%s -> %s', (region, url) => {
    expect(iamToolboxEndpoint(region)?.toString()).toBe(url);
  });

  it.each(['evil.example.com', 'us-east-1.evil.com#', '', 'US-EAST-1'])('refuses %j', (region) => {
    expect(iamToolboxEndpoint(region)).toBeNull();
  });
});

describe('iamToolboxEndpointFromEnv', () => {
  it("prefers the service's own variable, as AWS's SDKs do", () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://localhost:5000',
      AWS_ENDPOINT_URL_IAM_TOOLBOX: 'http://127.0.0.1:9',
    };
    expect(iamToolboxEndpointFromEnv(env)?.toString()).toBe('http://127.0.0.1:9/');
    expect(iamToolboxEndpointFromEnv({ AWS_ENDPOINT_URL: 'http://localhost:5000' })?.toString()).toBe(
      'http://localhost:5000/',
    );
  });

  it('is undefined when unset or not a URL', () => {
    expect(iamToolboxEndpointFromEnv({})).toBeUndefined();
    expect(iamToolboxEndpointFromEnv({ AWS_ENDPOINT_URL_IAM_TOOLBOX: 'not a url' })).toBeUndefined();
  });
});
