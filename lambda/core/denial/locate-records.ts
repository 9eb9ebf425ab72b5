/**
 * Where the CloudTrail records are in the input: a log file {"Records": [...]} (each record its own),
 * an EventBridge envelope (its detail, when it is an API call from an aws.* source), or a record itself.
 */
import { describeType, isJsonObject } from './json';
import { quote } from './quote';
import { invalid, notApplicable, type ReadOutcome } from './read-outcome';
import { mentionedEventId } from './record-shape';

const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** Sources EventBridge reserves for AWS services: CloudTrail's events carry aws.<service>. */
const AWS_SOURCE_PREFIX = 'aws.';
const EXPECTED_INPUT = 'a CloudTrail record, an EventBridge event or a log file {"Records": [...]}';

/** A record to read, with where it is; or the outcome of input that holds none. */
export type Located = { kind: 'record'; record: unknown; where: string } | ReadOutcome;

function at(where: string, location: string): string {
  return where === '' ? location : `${where}: ${location}`;
}

export function locateRecords(input: unknown, where: string): Located[] {
  if (!isJsonObject(input)) {
    const hint = Array.isArray(input) ? ' (wrap records as {"Records": [...]})' : '';
    return [invalid(where, `expected ${EXPECTED_INPUT}, got ${describeType(input)}${hint}`)];
  }
  if ('Records' in input) {
    const records = input['Records'];
    if (!Array.isArray(records)) {
      return [invalid(where, `Records is ${describeType(records)}, expected an array of CloudTrail records`)];
    }
    return records.map((record, index) => ({
      kind: 'record',
      record,
      where: at(where, `Records[${index}]`),
    }));
  }
  if ('detail-type' in input) {
    const detailType = input['detail-type'];
    const detail = input['detail'];
    if (typeof detailType !== 'string') {
      return [invalid(where, `detail-type is ${describeType(detailType)}, expected a string`)];
    }
    if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
      const eventId = isJsonObject(detail) ? mentionedEventId(detail) : null;
      const reason = `EventBridge event of type '${quote(detailType)}' is not an API call recorded by CloudTrail`;
      return [notApplicable('not-an-api-call-event', reason, eventId, where)];
    }
    // Anyone allowed events:PutEvents can put this detail-type on a bus, but not an aws.* source:
    // EventBridge keeps those to AWS services. (A hand-built envelope without a source is read as is.)
    const source = input['source'];
    if (source !== undefined && typeof source !== 'string') {
      return [invalid(where, `source is ${describeType(source)}, expected a string`)];
    }
    if (typeof source === 'string' && !source.startsWith(AWS_SOURCE_PREFIX)) {
      const eventId = isJsonObject(detail) ? mentionedEventId(detail) : null;
      const reason = `EventBridge event from source '${quote(source)}', not from AWS: CloudTrail's events come from aws.* sources, which only AWS services can put on a bus`;
      return [notApplicable('not-from-aws', reason, eventId, where)];
    }
    if (!isJsonObject(detail)) {
      return [
        invalid(where, `EventBridge event's detail is ${describeType(detail)}, expected a CloudTrail record`),
      ];
    }
    return [{ kind: 'record', record: detail, where: at(where, 'detail') }];
  }
  return [{ kind: 'record', record: input, where }];
}
