/** Root jest config: every workspace's unit tests (beside the code) and test/ integration tests. */
module.exports = {
  testEnvironment: '<rootDir>/test/helpers/jest-env.js',
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@smartdrag/shared$': '<rootDir>/shared/src/index.ts',
    '^@smartdrag/shared/(.*)$': '<rootDir>/shared/src/$1',
  },
  testMatch: ['<rootDir>/{shared,bridge-server,plugin-photoshop,plugin-photopea,plugin-express,test,models,bench}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
