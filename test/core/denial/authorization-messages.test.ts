import { decodeAuthorizationMessages } from '../../../lambda/core/denial/authorization-messages';
import type { AuthorizationMessageDecoder } from '../../../lambda/ports/authorization-message-decoder';
import { decodedMessageFixture, passRoleFixture } from './helpers';

/** Answers the blobs it knows; null for the others, as STS refusing them. */
class KnownBlobs implements AuthorizationMessageDecoder {
  readonly asked: string[] = [];
  constructor(private readonly known: ReadonlyMap<string, string>) {}
  async decode(blob: string): Promise<string | null> {
    this.asked.push(blob);
    return this.known.get(blob) ?? null;
  }
}

const ENCODED_ONLY = '05-ec2-AssociateIamInstanceProfile-encoded-only';
const CUT = '14-ec2-RunInstances-encoded-only-cut-at-1KB';

describe('decodeAuthorizationMessages', () => {
  it('decodes a complete encoded message once, keyed by its blob', async () => {
    const { blob, decodedMessage } = decodedMessageFixture('05');
    const decoder = new KnownBlobs(new Map([[blob, decodedMessage]]));
    const record = passRoleFixture(ENCODED_ONLY);

    const read = await decodeAuthorizationMessages({ Records: [record, record] }, decoder);

    expect(read).toEqual({ decoded: new Map([[blob, decodedMessage]]), undecodable: 0, cut: 0 });
    expect(decoder.asked).toEqual([blob]);
  });

  it('counts a complete message the decoder gives nothing back for', async () => {
    const read = await decodeAuthorizationMessages(passRoleFixture(ENCODED_ONLY), new KnownBlobs(new Map()));
    expect(read).toEqual({ decoded: new Map(), undecodable: 1, cut: 0 });
  });

  it('counts a message cut at 1 KB without asking the decoder', async () => {
    const decoder = new KnownBlobs(new Map());
    const read = await decodeAuthorizationMessages({ detail: passRoleFixture(CUT) }, decoder);
    expect(read).toEqual({ decoded: new Map(), undecodable: 0, cut: 1 });
    expect(decoder.asked).toEqual([]);
  });

  it('finds nothing in a body without records', async () => {
    const decoder = new KnownBlobs(new Map());
    expect(await decodeAuthorizationMessages('not an object', decoder)).toEqual({
      decoded: new Map(),
      undecodable: 0,
      cut: 0,
    });
  });
});
