/** Unit and handler tests: fast, no emulator, no browser. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/integration/',
    '<rootDir>/test/e2e/',
    '<rootDir>/test/attacks/',
  ],
  transform: { '^.+\\.ts$': 'ts-jest' },
  maxWorkers: 2,
};
