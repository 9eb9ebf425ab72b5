import type { Tracer } from '@aws-lambda-powertools/tracer';
import { traced } from '../../lambda/handlers/traced';

type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;

/** A tracer that records what the wrapper asks of it, with a root segment whose subsegments it tracks. */
function recordingTracer() {
  const calls: string[] = [];
  let current: { name: string; closed: boolean } = { name: 'root', closed: false };
  const segment = (entry: { name: string; closed: boolean }) =>
    ({
      addNewSubsegment: (name: string) => {
        calls.push(`open ${name}`);
        const child = { name, closed: false };
        return { ...segment(child), close: () => ((child.closed = true), calls.push(`close ${name}`)) };
      },
      close: () => undefined,
      entry,
    }) as unknown as Segment;
  let active = segment(current);
  const tracer = {
    getSegment: () => active,
    setSegment: (next: Segment) => {
      active = next;
      current = (next as unknown as { entry: typeof current }).entry;
      calls.push(`set ${current.name}`);
    },
    annotateColdStart: () => calls.push('cold start'),
    addServiceNameAnnotation: () => calls.push('service'),
    addErrorAsMetadata: (error: Error) => calls.push(`error ${error.message}`),
  };
  return { tracer, calls };
}

describe('traced', () => {
  it('runs the handler inside its own subsegment and restores the segment after', async () => {
    const { tracer, calls } = recordingTracer();
    const handler = traced(tracer, 'apply', async (a: number, b: number) => (calls.push('run'), a + b));
    await expect(handler(2, 3)).resolves.toBe(5);
    expect(calls).toEqual([
      'open ## apply',
      'set ## apply',
      'cold start',
      'service',
      'run',
      'close ## apply',
      'set root',
    ]);
  });

  it('records an error on the subsegment and throws it on', async () => {
    const { tracer, calls } = recordingTracer();
    const handler = traced(tracer, 'diagnose', async () => {
      throw new Error('boom');
    });
    await expect(handler()).rejects.toThrow('boom');
    expect(calls).toEqual([
      'open ## diagnose',
      'set ## diagnose',
      'cold start',
      'service',
      'error boom',
      'close ## diagnose',
      'set root',
    ]);
  });
});
