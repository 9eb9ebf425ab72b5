/**
 * An endpoint set in the environment as AWS's SDKs read it: the service's own variable
 * (AWS_ENDPOINT_URL_<SERVICE ID>), else AWS_ENDPOINT_URL; undefined when neither is set, or the first
 * one set is not a URL. For the services called without an SDK client here (IAM Toolbox,
 * Organizations), which the SDK's own configuration loader therefore never sees.
 */
export function endpointFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  serviceVariable: string,
): URL | undefined {
  for (const name of [serviceVariable, 'AWS_ENDPOINT_URL']) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    try {
      return new URL(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
