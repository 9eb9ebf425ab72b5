/**
 * The forwarding fake's matcher on the content filters EventBridge documents. The organization tests
 * check it against moto's matcher on the product's own pattern; these pin the filters that pattern
 * does not use, and that anything else is refused rather than guessed.
 */
import { matchesEventPattern, UnsupportedPatternError } from './event-pattern-matcher';

const event = {
  source: 'aws.glue',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    errorCode: 'AccessDeniedException',
    errorMessage: 'User: x is not authorized to perform: iam:PassRole on resource: y',
    eventSource: 'glue.amazonaws.com',
    tags: ['a', 'b'],
    responseElements: null,
  },
};

describe('matchesEventPattern', () => {
  it.each([
    ['an exact value', { source: ['aws.glue'] }, true],
    ['another exact value', { source: ['aws.lambda'] }, false],
    ['prefix', { source: [{ prefix: 'aws.' }] }, true],
    ['suffix', { detail: { eventSource: [{ suffix: '.amazonaws.com' }] } }, true],
    ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.GLUE' }] }, true],
    ['wildcard', { detail: { errorMessage: [{ wildcard: '*iam:PassRole*' }] } }, true],
    [
      'a wildcard that must match the whole value',
      { detail: { errorMessage: [{ wildcard: 'iam:PassRole*' }] } },
      false,
    ],
    ['an escaped star is a literal star', { source: [{ wildcard: 'aws\\*' }] }, false],
    ['anything-but a value', { source: [{ 'anything-but': 'aws.lambda' }] }, true],
    ['anything-but a list holding the value', { source: [{ 'anything-but': ['aws.glue', 'x'] }] }, false],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, false],
    ['exists true on a present field', { detail: { errorCode: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { requestID: [{ exists: false }] } }, true],
    ['exists true on a missing field', { detail: { requestID: [{ exists: true }] } }, false],
    ['a filter on a missing field', { detail: { requestID: [{ prefix: '' }] } }, false],
    ['null matches a null value', { detail: { responseElements: [null] } }, true],
    ['any item of an array field', { detail: { tags: ['b'] } }, true],
    ['nested object on a missing object', { other: { x: ['y'] } }, false],
    [
      '$or: one branch matches',
      { detail: { $or: [{ errorCode: ['nope'] }, { eventSource: ['glue.amazonaws.com'] }] } },
      true,
    ],
    [
      '$or: no branch matches',
      { detail: { $or: [{ errorCode: ['nope'] }, { eventSource: ['nope'] }] } },
      false,
    ],
    ['every field must match', { source: ['aws.glue'], 'detail-type': ['other'] }, false],
  ])('%s', (_label, pattern, expected) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it('refuses a filter it does not implement instead of guessing', () => {
    expect(() =>
      matchesEventPattern({ detail: { size: [{ numeric: ['>', 1] }] } }, { detail: { size: 2 } }),
    ).toThrow(UnsupportedPatternError);
    expect(() => matchesEventPattern({ source: 'aws.glue' }, event)).toThrow(UnsupportedPatternError);
  });
});
