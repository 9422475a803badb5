import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { type ExecutionResult, type GraphQLSchema, OperationTypeNode, execute, getVariableValues } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { RequestContext } from './context';

type Gateway = ApolloServerOptionsWithGateway<RequestContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

export interface CompiledExecutionOptions {
  /** Compiled documents kept (least recently used dropped first). */
  maxCompiled: number;
  /** A document is compiled the n-th time it is seen, so that one-off documents never pay for a compilation. */
  compileAfter: number;
}

export const DEFAULT_COMPILED_EXECUTION: CompiledExecutionOptions = { maxCompiled: 500, compileAfter: 2 };

/**
 * Executes queries with graphql-jit: a document seen `compileAfter` times is compiled into a JavaScript function
 * per operation, which resolves and completes the fields without graphql-js's per-field bookkeeping (a members page
 * resolves about 1,100 fields; its Node CPU per request fell by a third, docs/PERFORMANCE.md). Everything before
 * execution (parsing, validation, the query limits, the plugins) is Apollo's, as without it: this is Apollo
 * Server's `gateway` hook, its one documented way to replace the executor.
 *
 * The same results as graphql-js: the resolvers, scalars and schema are the same objects; variables are coerced by
 * graphql-js first, so bad variables get graphql-js's own errors (and Apollo's BAD_USER_INPUT); mutations (whose
 * fields run in series and change data) and anything graphql-jit cannot compile run on graphql-js.
 */
export function compiledExecutionGateway(
  schema: GraphQLSchema,
  options: CompiledExecutionOptions = DEFAULT_COMPILED_EXECUTION,
): Gateway & { stats(): { compiled: number; executedCompiled: number } } {
  let compilations = 0;
  let executedCompiled = 0;
  // Map iteration order is insertion order: re-inserting on use makes the first key the least recently used.
  const compiled = new Map<string, CompiledQuery | null>();
  const sightings = new Map<string, number>();
  const remember = <T>(map: Map<string, T>, key: string, value: T) => {
    map.delete(key);
    map.set(key, value);
    if (map.size > options.maxCompiled) map.delete(map.keys().next().value as string);
  };

  const executor: Executor = async (rc) => {
    const { document, operation } = rc;
    const variables = rc.request.variables ?? {};
    const viaGraphqlJs = () =>
      execute({
        schema,
        document,
        contextValue: rc.context,
        variableValues: variables,
        operationName: rc.operationName,
      }) as Promise<ExecutionResult> | ExecutionResult;
    if (operation?.operation !== OperationTypeNode.QUERY) return viaGraphqlJs();

    const key = `${rc.queryHash}\0${rc.operationName ?? ''}`;
    let query = compiled.get(key);
    if (query === undefined) {
      const seen = (sightings.get(key) ?? 0) + 1;
      if (seen < options.compileAfter) {
        remember(sightings, key, seen);
        return viaGraphqlJs();
      }
      sightings.delete(key);
      const result = compileQuery(schema, document, rc.operationName ?? undefined);
      query = isCompiledQuery(result) ? result : null;
      compilations++;
      remember(compiled, key, query);
    } else remember(compiled, key, query);
    if (query === null) return viaGraphqlJs();

    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    executedCompiled++;
    return query.query(undefined, rc.context, variables) as Promise<ExecutionResult> | ExecutionResult;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
    /** Compilations so far, and executions of a compiled query (tests). */
    stats: () => ({ compiled: compilations, executedCompiled }),
  };
}
