import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  OperationTypeNode,
  type SelectionSetNode,
  execute,
  getVariableValues,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { RequestContext } from './context';

type Gateway = ApolloServerOptionsWithGateway<RequestContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

export interface CompiledExecutionOptions {
  /** A document is compiled the n-th time it is seen, so that one-off documents never pay for a compilation. */
  compileAfter: number;
  /**
   * Budget of the compiled documents kept, in fields with fragments expanded (the generated code grows with them:
   * about 50 kB of heap for a 35-field members page). Least recently used documents are dropped first.
   */
  maxFields: number;
  /** Documents with more fields than this are never compiled (they would crowd out everything else). */
  maxFieldsPerDocument: number;
}

export const DEFAULT_COMPILED_EXECUTION: CompiledExecutionOptions = {
  compileAfter: 2,
  maxFields: 20_000,
  maxFieldsPerDocument: 1_000,
};

interface Entry {
  /** null: not compilable, or too large; runs on graphql-js. */
  query: CompiledQuery | null;
  /** Its share of the budget: its fields when compiled, 1 when not (so that such entries are bounded too). */
  fields: number;
}

/**
 * Executes queries with graphql-jit: a document seen `compileAfter` times is compiled into a JavaScript function
 * per operation, which resolves and completes the fields without graphql-js's per-field bookkeeping (a members page
 * resolves about 1,100 fields; docs/PERFORMANCE.md has the CPU it saves). Everything before execution (parsing,
 * validation, the query limits, the plugins) is Apollo's, as without it: this is Apollo Server's `gateway` hook, its
 * one documented way to replace the executor.
 *
 * The same results as graphql-js: the resolvers, scalars and schema are the same objects; variables are coerced by
 * graphql-js first, so bad variables get graphql-js's own errors (and Apollo's BAD_USER_INPUT); mutations (whose
 * fields run in series and change data) and anything graphql-jit cannot compile run on graphql-js. Memory is bounded
 * by a budget of fields (a client sending thousands of distinct documents evicts only its own).
 */
export function compiledExecutionGateway(
  schema: GraphQLSchema,
  options: CompiledExecutionOptions = DEFAULT_COMPILED_EXECUTION,
): Gateway & { stats(): { compiled: number; executedCompiled: number; fieldsKept: number } } {
  let compilations = 0;
  let executedCompiled = 0;
  // Map iteration order is insertion order: re-inserting on use makes the first key the least recently used.
  const entries = new Map<string, Entry>();
  let fieldsKept = 0;
  const sightings = new Map<string, number>();
  const MAX_SIGHTINGS = 1_000;

  const keep = (key: string, entry: Entry) => {
    entries.set(key, entry);
    fieldsKept += entry.fields;
    for (const [oldest, old] of entries) {
      if (fieldsKept <= options.maxFields) break;
      entries.delete(oldest);
      fieldsKept -= old.fields;
    }
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
    let entry = entries.get(key);
    if (entry) {
      entries.delete(key);
      entries.set(key, entry);
    } else {
      const seen = (sightings.get(key) ?? 0) + 1;
      if (seen < options.compileAfter) {
        sightings.delete(key);
        sightings.set(key, seen);
        if (sightings.size > MAX_SIGHTINGS) sightings.delete(sightings.keys().next().value as string);
        return viaGraphqlJs();
      }
      sightings.delete(key);
      const fields = expandedFieldCount(document, operation.selectionSet);
      let query: CompiledQuery | null = null;
      if (fields <= options.maxFieldsPerDocument) {
        const result = compileQuery(schema, document, rc.operationName ?? undefined);
        compilations++;
        if (isCompiledQuery(result)) query = result;
      }
      entry = { query, fields: query ? fields : 1 };
      keep(key, entry);
    }
    if (!entry.query) return viaGraphqlJs();

    // The compiled query coerces the variables itself (once). When it refuses them (errors and no data, before
    // anything runs), the answer is graphql-js's, as for a document that runs uncompiled.
    const result = entry.query.query(undefined, rc.context, variables) as Promise<ExecutionResult> | ExecutionResult;
    if (!(result instanceof Promise) && result.errors && !('data' in result)) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    executedCompiled++;
    return result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
    /** Compilations so far, executions of a compiled query, and the fields of the documents kept (tests). */
    stats: () => ({ compiled: compilations, executedCompiled, fieldsKept }),
  };
}

/** Fields of a selection, each fragment spread counted as the fields it brings (memoized per fragment). */
function expandedFieldCount(document: DocumentNode, selectionSet: SelectionSetNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  const count = (set: SelectionSetNode, depth: number): number => {
    // Validation refuses fragment cycles; the depth guard only keeps this function total.
    if (depth > 64) return Number.POSITIVE_INFINITY;
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += 1 + (s.selectionSet ? count(s.selectionSet, depth + 1) : 0);
      else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet, depth + 1);
      else {
        const name = s.name.value;
        let fragmentFields = memo.get(name);
        if (fragmentFields === undefined) {
          const fragment = fragments.get(name);
          fragmentFields = fragment ? count(fragment.selectionSet, depth + 1) : 0;
          memo.set(name, fragmentFields);
        }
        n += fragmentFields;
      }
    }
    return n;
  };
  return count(selectionSet, 0);
}
