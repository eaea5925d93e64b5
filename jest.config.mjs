/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // The e2e tests drive real Chromium pages and share 2 cores: one file at a time keeps them honest.
  maxWorkers: 1,
  testTimeout: 180_000,
  reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
};
