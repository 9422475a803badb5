import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { tokenLimitError } from './query-limits';

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
  // Thrown while authenticating (src/auth/authenticate.ts), before any resolver: a GraphQLError, not an AppError.
  ErrorCode.SERVICE_ACCOUNT_DISABLED,
]);

// Apollo codes outside our list, folded into BAD_REQUEST so clients only ever see documented codes.
const AS_BAD_REQUEST = new Set([
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

// graphql-js stops coercing variables after 50 problems and adds this error, which carries no code.
const TOO_MANY_VARIABLE_ERRORS = 'Too many errors processing variables';
// graphql-js's "did you mean" hints name fields, types and enum values: a schema leak when introspection is off.
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export interface FormatErrorOptions {
  /** Drop "Did you mean …" hints (production, unless introspection is enabled). */
  hideSuggestions?: boolean;
}

/** The AppError behind an error, also when Apollo wrapped it (a validation rule's report, a plugin's throw). */
function appErrorOf(error: unknown): AppError | null {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return original;
  if (original instanceof GraphQLError && original.originalError instanceof AppError) return original.originalError;
  return null;
}

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: FormatErrorOptions = {},
): GraphQLFormattedError {
  const message = options.hideSuggestions ? formatted.message.replace(SUGGESTION, '') : formatted.message;
  const base = { message, locations: formatted.locations, path: formatted.path };
  const appError = appErrorOf(error) ?? tokenLimitError(formatted.message);
  if (appError) {
    return { ...base, message: appError.message, extensions: { ...appError.extensions } };
  }
  const original = unwrapResolverError(error);
  if (!(original instanceof AppError) && formatted.message.startsWith(TOO_MANY_VARIABLE_ERRORS)) {
    return {
      ...base,
      message: 'Too many invalid variables: fix the ones reported above and send the request again.',
      extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'variables' },
    };
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
  scope?.logger.error({ err: original, path: formatted.path }, 'Unexpected error while handling a GraphQL request');
  const requestId = scope?.requestId ?? 'unknown';
  return {
    ...base,
    message: `Internal server error. Quote request id ${requestId} to your operator.`,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  };
}
