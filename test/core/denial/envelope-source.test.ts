/**
 * The EventBridge envelope's `source`: CloudTrail's events carry aws.<service>, a source EventBridge
 * keeps to AWS services. An envelope with any other source was put by someone allowed
 * events:PutEvents, not by CloudTrail: not applicable, whatever its detail says.
 */
import { readDenials } from '../../../lambda/core/denial';
import { denialRecord } from './helpers';

function envelopeFrom(source: unknown): Record<string, unknown> {
  const record = denialRecord();
  return { 'detail-type': 'AWS API Call via CloudTrail', source, detail: record };
}

describe('readDenials: the envelope source', () => {
  it.each(['aws.glue', 'aws.lambda', 'aws.emr'])('reads a denial put with source %s', (source) => {
    expect(readDenials(envelopeFrom(source), 'event.json').map((outcome) => outcome.kind)).toEqual([
      'denial',
    ]);
  });

  it('reads a hand-built envelope without a source', () => {
    const { source: _none, ...envelope } = envelopeFrom('aws.glue');
    expect(readDenials(envelope, 'event.json').map((outcome) => outcome.kind)).toEqual(['denial']);
  });

  it.each(['custom.attacker', 'aws-glue', 'AWS.glue', 'glue.amazonaws.com', ''])(
    'says a denial put with source %j is not applicable: not from AWS',
    (source) => {
      const [outcome, ...others] = readDenials(envelopeFrom(source), 'event.json');
      expect(others).toEqual([]);
      expect(outcome).toMatchObject({
        kind: 'not-applicable',
        eventId: denialRecord()['eventID'],
        code: 'not-from-aws',
        where: 'event.json',
      });
    },
  );

  it('says an envelope whose source is not a string is invalid', () => {
    expect(readDenials(envelopeFrom(42), 'event.json')).toEqual([
      { kind: 'invalid', reason: 'source is a number, expected a string', where: 'event.json' },
    ]);
  });
});
