import { principalsOfType } from '../../../lambda/core/iam/policy-principals';

describe("a statement's principals of one type", () => {
  it('lists the named principals of the type, one or many', () => {
    const principal = {
      AWS: ['arn:aws:iam::123456789012:root', '111122223333'],
      Service: 'glue.amazonaws.com',
    };
    expect(principalsOfType(principal, 'AWS')).toEqual(['arn:aws:iam::123456789012:root', '111122223333']);
    expect(principalsOfType(principal, 'Service')).toEqual(['glue.amazonaws.com']);
    expect(principalsOfType(principal, 'Federated')).toEqual([]);
  });

  it('reads "*" as every principal and ignores what is not a name', () => {
    expect(principalsOfType('*', 'Service')).toEqual(['*']);
    expect(principalsOfType({ AWS: [42, 'x'] }, 'AWS')).toEqual(['x']);
    expect(principalsOfType(null, 'AWS')).toEqual([]);
    expect(principalsOfType(['arn:aws:iam::123456789012:root'], 'AWS')).toEqual([]);
  });
});
