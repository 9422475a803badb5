// Kept in step with packages/server/package.json by the release process.
export const SERVER_VERSION = '0.1.0';
