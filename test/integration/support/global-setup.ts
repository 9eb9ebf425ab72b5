/**
 * Jest globalSetup: one moto_server for the whole integration run. Runs in Jest's parent process,
 * before the test workers are created, so what it puts in process.env reaches every test file.
 */
import { startMoto, type MotoServer } from './moto';

/** Where globalTeardown finds the server (both run in the same parent process). */
export const MOTO_HANDLE_KEY = '__passroleDoctorMoto';

export type GlobalWithMoto = typeof globalThis & { [MOTO_HANDLE_KEY]?: MotoServer };

/** Variables that would let the SDK pick up real credentials or a real profile. */
const REAL_CREDENTIAL_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
];

export default async function globalSetup(): Promise<void> {
  for (const name of REAL_CREDENTIAL_VARIABLES) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // No shared config/credentials files and no instance metadata: nothing real to fall back on.
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  const moto = await startMoto();
  (globalThis as GlobalWithMoto)[MOTO_HANDLE_KEY] = moto;
  process.env.MOTO_ENDPOINT = moto.endpoint;
}
