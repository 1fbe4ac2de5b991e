// The mini-program's tests: jsdom + miniprogram-simulate with the official WXML compiler.
module.exports = {
  testEnvironment: 'jsdom',
  testEnvironmentOptions: { url: 'https://servicewechat.com/' },
  setupFiles: ['<rootDir>/tests/support/setup.js'],
  setupFilesAfterEnv: ['<rootDir>/tests/support/after-env.js'],
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  testTimeout: 20000,
  maxWorkers: 2,
}
