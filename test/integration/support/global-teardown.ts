/** Jest globalTeardown: stops the moto_server that globalSetup started. */
import { MOTO_HANDLE_KEY, type GlobalWithMoto } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as GlobalWithMoto;
  const moto = holder[MOTO_HANDLE_KEY];
  holder[MOTO_HANDLE_KEY] = undefined;
  await moto?.stop();
}
