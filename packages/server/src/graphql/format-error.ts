import { AsyncLocalStorage } from 'node:async_hooks';
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';

export interface RequestScope {
  requestId: string;
  logger: Logger;
}

/** Lets the error formatter (which Apollo calls without the context) name the request. */
export const requestScope = new AsyncLocalStorage<RequestScope>();

// Apollo's own codes for requests that never reached a resolver; their messages are safe to show.
const PASS_THROUGH = new Set<string>([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.BAD_REQUEST,
  ErrorCode.UNAUTHENTICATED,
]);

// Apollo codes outside our list, folded into BAD_REQUEST so clients only ever see documented codes.
const AS_BAD_REQUEST = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof AppError) {
    return { ...base, message: original.message, extensions: { ...original.extensions } };
  }
  if (original instanceof ArgumentValidationError) {
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    const { stacktrace: _omit, ...rest } = formatted.extensions ?? {};
    return { ...base, extensions: { ...rest, code } };
  }
  if (typeof code === 'string' && AS_BAD_REQUEST.has(code)) {
    return { ...base, extensions: { code: ErrorCode.BAD_REQUEST } };
  }
  const scope = requestScope.getStore();
  scope?.logger.error({ err: original }, 'Unexpected error while handling a GraphQL request');
  const requestId = scope?.requestId ?? 'unknown';
  return {
    ...base,
    message: `Internal server error. Quote request id ${requestId} to your operator.`,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  };
}
