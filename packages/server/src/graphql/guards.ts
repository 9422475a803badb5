import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import {
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { QueryLimits } from '../config';
import type { RequestContext } from './context';
import { assertStorableInput } from './input-hygiene';
import { documentCost, queryTooComplex } from './query-limits';

export function requestTimedOut(timeoutMs: number): AppError {
  return new AppError(
    ErrorCode.REQUEST_TIMEOUT,
    `The request was stopped after ${Math.round(timeoutMs / 1000)} s (or its client went away); ask for less ` +
      `(smaller pages, fewer fields) or split it.`,
    { details: { timeoutSeconds: Math.round(timeoutMs / 1000) } },
  );
}

/** Variables (as JSON) up to this length are remembered with an accepted document; longer ones are checked again. */
const ACCEPTED_KEY_MAX_CHARS = 512;
/** Accepted variable sets remembered per document (then forgotten all at once). */
const ACCEPTED_KEYS_PER_DOCUMENT = 16;

/**
 * Checks that run on every operation once it is parsed and validated, before anything executes:
 * hostile strings and oversized lists in any argument, and the document's cost for its variables.
 * (During execution, `guardResolvers` stops work for a request that timed out or whose client went away.)
 */
export function requestGuardsPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin<RequestContext> {
  // Both checks depend on the document, the operation and the variables only. A client repeating a request (a page
  // polled, the next page of a list) repeats them: the verdict of an accepted request is remembered with the parsed
  // document (which Apollo's document cache keeps and shares), for small variables, a few per document.
  const accepted = new WeakMap<DocumentNode, Set<string>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operation }) {
          const variables = request.variables ?? {};
          // Mutations are checked every time: they are rarely repeated as they were, and their variables can be
          // megabytes (a 10,000-row inviteUsers), not worth serialising to find out.
          const json = operation?.operation === 'query' ? JSON.stringify(variables) : null;
          const key =
            json !== null && json.length <= ACCEPTED_KEY_MAX_CHARS
              ? `${request.operationName ?? ''}\u0000${json}`
              : null;
          if (key !== null && accepted.get(document)?.has(key)) return;
          assertStorableInput(schema, document, request.variables, request.operationName ?? undefined);
          const cost = documentCost(schema, document, request.operationName ?? undefined, variables);
          if (cost !== null && cost > limits.maxCost) {
            throw queryTooComplex('cost', limits.maxCost, Number.isFinite(cost) ? cost : null);
          }
          if (key === null) return;
          const keys = accepted.get(document) ?? new Set<string>();
          if (keys.size >= ACCEPTED_KEYS_PER_DOCUMENT) keys.clear();
          keys.add(key);
          accepted.set(document, keys);
        },
        async willSendResponse(requestContext) {
          applyStatusPolicy(requestContext);
        },
      };
    },
  };
}

/**
 * GraphQL over HTTP: a request error (nothing executed) is 200 for clients that accept only
 * `application/json`, and 4xx for `application/graphql-response+json`. Statuses chosen on purpose
 * (401 for a bad credential, 405 for a mutation over GET, 415/406 from content negotiation) stay.
 */
function applyStatusPolicy(requestContext: GraphQLRequestContextWillSendResponse<RequestContext>): void {
  const { response, contextValue } = requestContext;
  if (response.body.kind !== 'single') return;
  const result = response.body.singleResult;
  if (!result.errors?.length || 'data' in result) return;
  const status = response.http.status;
  if (status !== undefined && status !== 400 && status !== 500) return;
  response.http.status = contextValue.acceptsGraphQLResponseJson ? 400 : 200;
}

/**
 * Serialises a result once; when it is larger than the limit, sends an error instead, so one request
 * cannot make the server hold and send an unbounded body.
 */
export function boundedStringify(maxBytes: number): (value: FormattedExecutionResult) => string {
  return (value) => {
    const json = JSON.stringify(value);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only count bytes when it could matter.
    if (json.length * 3 <= maxBytes || Buffer.byteLength(json, 'utf8') <= maxBytes) return json;
    return JSON.stringify({
      errors: [
        {
          message:
            `The response would be larger than ${maxBytes} bytes and was not sent; ask for smaller pages or ` +
            `fewer fields.`,
          extensions: { code: ErrorCode.RESPONSE_TOO_LARGE, max: maxBytes },
        },
      ],
    });
  };
}

/**
 * Prepares the schema's resolvers once per process:
 * - every field that runs code (queries, mutations, field resolvers) first checks the request's signal and fails
 *   with its reason (REQUEST_TIMEOUT) once the request has timed out or its client has gone, so nothing more is read
 *   for it;
 * - a field that only reads a property of its parent gets graphql's default resolver instead of type-graphql's
 *   per-field pipeline (no global middlewares or auth checker are configured, so the two return the same). A members
 *   page resolves about 1,500 such fields; per-field hooks (an Apollo `willResolveField` plugin would wrap every one)
 *   cost more CPU than the page's SQL.
 */
export function guardResolvers(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const typeNames = new Map<unknown, string>(
    [...storage.objectTypes, ...storage.interfaceTypes].map((t) => [t.target, t.name]),
  );
  // A resolver or renamed field declared on a class that is not itself a GraphQL type (a base class) could not be
  // told apart below and would silently lose its resolver: refuse to start instead.
  const untyped = [
    ...storage.fieldResolvers.map((r) => r.getObjectType?.()),
    ...storage.fields.map((f) => f.target),
  ].filter((target) => target !== undefined && !typeNames.has(target) && !isArgsOrInput(storage, target));
  if (untyped.length) throw new Error('guardResolvers: fields declared on classes that are not GraphQL object types');
  const runsCode = new Set(
    storage.fieldResolvers.map((r) => `${typeNames.get(r.getObjectType?.()) ?? ''}.${r.schemaName}`),
  );
  // A property published under another name needs type-graphql's resolver (the default one reads the schema name).
  const renamed = new Set(
    storage.fields
      .filter((f) => f.name !== f.schemaName)
      .map((f) => `${typeNames.get(f.target) ?? ''}.${f.schemaName}`),
  );
  const roots = new Set([schema.getQueryType(), schema.getMutationType()].filter((t) => t !== null && t !== undefined));
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const coordinate = `${type.name}.${field.name}`;
      if (roots.has(type as never) || runsCode.has(coordinate)) field.resolve = guarded(resolve);
      else if (!renamed.has(coordinate)) field.resolve = undefined;
    }
  }
}

function guarded(
  resolve: GraphQLFieldResolver<unknown, RequestContext>,
): GraphQLFieldResolver<unknown, RequestContext> {
  return (source, args, context, info) => {
    if (context.signal.aborted) throw context.signal.reason;
    return resolve(source, args, context, info);
  };
}

/** Argument and input classes also declare fields; they have no resolvers. */
function isArgsOrInput(storage: ReturnType<typeof getMetadataStorage>, target: unknown): boolean {
  return [...storage.argumentTypes, ...storage.inputTypes].some((t) => t.target === target);
}
