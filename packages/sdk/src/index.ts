export { RosterClient, type RosterClientOptions, type IterateOptions } from './client';
export * from './errors';
export { paginate, type Page } from './paginate';
export * from './types';
// Enums (as const objects and unions), input types, operation types and typed documents.
export * from './generated/graphql';
