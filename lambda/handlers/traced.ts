import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * `handler` inside its own X-Ray subsegment `## name`, annotated with the cold start and the service;
 * an error is recorded on the subsegment and thrown on (the entry's caller, Lambda, decides retries).
 */
export function traced<Args extends unknown[], Result>(
  tracer: Pick<
    Tracer,
    'getSegment' | 'setSegment' | 'annotateColdStart' | 'addServiceNameAnnotation' | 'addErrorAsMetadata'
  >,
  name: string,
  handler: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${name}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof Error) tracer.addErrorAsMetadata(error);
      throw error;
    } finally {
      subsegment?.close();
      if (segment) tracer.setSegment(segment);
    }
  };
}
