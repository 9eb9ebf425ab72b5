/**
 * Organization mode: EC2's encoded authorization messages are decoded by the member account that
 * issued them (STS decodes only its own account's messages), with its read role. Only once the
 * delivery's account is admitted: the hub never assumes a role in an account it has not admitted, as
 * that would hand its role ARN and the external id to whoever owns that account. Lazy: a delivery
 * without an encoded message costs no Organizations read and no AssumeRole.
 */
import { accountFieldsOf, envelopeAccountOf } from '../../core/denial/account-fields';
import { MemberAccessError } from '../../core/errors';
import { admitDenial, type AdmissionPolicy } from '../../core/organization/admission';
import type { AccountAccess } from '../../ports/account-access';
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';
import type { OrganizationReader } from '../../ports/organization-reader';

export interface MemberDecoderSources {
  access: AccountAccess;
  organization: OrganizationReader;
  policy: AdmissionPolicy;
}

const NO_DECODER: AuthorizationMessageDecoder = { decode: () => Promise.resolve(null) };

/** The decoder of the account `body` (an EventBridge envelope of a CloudTrail record) is admitted for. */
export function memberDecoderFor(body: unknown, sources: MemberDecoderSources): AuthorizationMessageDecoder {
  let resolved: Promise<AuthorizationMessageDecoder> | null = null;
  const resolve = async (): Promise<AuthorizationMessageDecoder> => {
    const detail =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['detail'] : null;
    const admission = await admitDenial(
      accountFieldsOf(envelopeAccountOf(body), detail),
      sources.policy,
      sources.organization,
    );
    if (admission.kind !== 'admitted') return NO_DECODER;
    try {
      return (await sources.access.read(admission.account.id)).decoder ?? NO_DECODER;
    } catch (error) {
      // The denial itself meets the same refusal at the gate, where it is counted.
      if (error instanceof MemberAccessError) return NO_DECODER;
      throw error;
    }
  };
  return {
    decode: async (encoded) => {
      resolved ??= resolve();
      return (await resolved).decode(encoded);
    },
  };
}
