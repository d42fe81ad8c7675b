/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/packages/azure-functions-entra-auth/test', '<rootDir>/packages/azure-functions-entra-dev/test'],
  testMatch: ['**/*.test.ts'],
  // jose 6 ships ES modules only; ts-jest turns them into CommonJS for Jest's module registry.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    '^.+/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 20000,
  // Compiles infra/ with the Bicep CLI once per run (or reuses dist-infra/); see test/infra/support/globalSetup.ts.
  globalSetup: '<rootDir>/test/infra/support/globalSetup.ts',
};
