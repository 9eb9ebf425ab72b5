/**
 * The attack suite (`npm run test:attacks`): every finding of issue 10 replayed, against the
 * synthesized template's resource policies (local simulator) and the real handlers on moto_server.
 * globalTeardown prints the summary line: attacks tried N, escalations 0, forged decisions applied 0.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/attacks'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/attacks/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/attacks/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 1,
};
