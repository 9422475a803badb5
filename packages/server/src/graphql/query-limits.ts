import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { AppError, ErrorCode } from '../errors';
import type { QueryLimits } from '../config';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connection';

/** The limit a document broke; `extensions.limit` carries it so clients can tell which one. */
export type QueryLimitName = 'depth' | 'aliases' | 'rootFields' | 'directives' | 'tokens' | 'cost';

export function queryTooComplex(limit: QueryLimitName, max: number, actual: number | null): AppError {
  const what: Record<QueryLimitName, string> = {
    depth: 'is nested too deeply',
    aliases: 'uses too many aliases',
    rootFields: 'asks for too many top-level fields',
    directives: 'uses too many directives',
    tokens: 'is too long',
    cost: 'would cost too much to run',
  };
  const found = actual === null ? '' : ` (${actual})`;
  return new AppError(
    ErrorCode.QUERY_TOO_COMPLEX,
    `The query ${what[limit]}${found}; the limit is ${max}. Ask for fewer fields, less nesting or smaller pages ` +
      `(\`first\`), or split it into several requests.`,
    { details: { limit, max, ...(actual === null ? {} : { actual }) } },
  );
}

/**
 * Assumed length of a list field that takes no `first` (a member's teams, an organization's custom roles):
 * such lists are short by construction, but the cost must still grow with them.
 */
export const UNPAGED_LIST_ASSUMED_SIZE = 20;

/**
 * The cost of a field: 1, plus its children once per item it can return. A paged field (`first`) multiplies
 * by the page it asks for (default 20, at most 100); the `edges`/`nodes` of a connection were already
 * multiplied at the connection. Introspection is priced by what it selects: it is bounded by the schema.
 */
export const pagedCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (type.name.startsWith('__') || field.name.startsWith('__')) return 1 + childComplexity;
  if (field.args.some((a) => a.name === 'first')) {
    const first =
      typeof args.first === 'number' && Number.isFinite(args.first)
        ? Math.min(Math.max(Math.trunc(args.first), 1), MAX_PAGE_SIZE)
        : DEFAULT_PAGE_SIZE;
    return 1 + first * childComplexity;
  }
  const unwrapped = getNullableType(field.type);
  if (isListType(unwrapped) && !isLeafType(getNamedType(unwrapped)) && !type.name.endsWith('Connection')) {
    return 1 + UNPAGED_LIST_ASSUMED_SIZE * childComplexity;
  }
  return 1 + childComplexity;
};

/** The document's cost for these variables, or null when the variables do not fit (execution reports that). */
export function documentCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): number | null {
  try {
    // maxQueryNodes bounds the work of pricing itself (fragments spread many times).
    return getComplexity({
      schema,
      query: document,
      operationName,
      variables,
      estimators: [pagedCostEstimator],
      maxQueryNodes: 20_000,
    });
  } catch (err) {
    if (err instanceof GraphQLError && err.message.includes('maximum allowed number of nodes'))
      return Number.POSITIVE_INFINITY;
    return null;
  }
}

/** Top-level fields of each operation, counting those reached through fragments (introspection aside). */
function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const count = (set: SelectionSetNode, seen: Set<string>): number => {
      let n = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (!selection.name.value.startsWith('__')) n += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          n += count(selection.selectionSet, seen);
        } else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          if (fragment) n += count(fragment.selectionSet, seen);
        }
      }
      return n;
    };
    return {
      OperationDefinition(node) {
        const n = count(node.selectionSet, new Set());
        if (n > max) context.reportError(queryTooComplex('rootFields', max, n));
      },
    };
  };
}

const FOUND = /found (\d+)/;
const reject =
  (limit: QueryLimitName, max: number) =>
  (context: ValidationContext | null, error: GraphQLError): void => {
    const found = FOUND.exec(error.message);
    context?.reportError(queryTooComplex(limit, max, found ? Number(found[1]) : null));
  };

/** Validation rules for depth, aliases, directives and root fields (graphql-armor's, reporting QUERY_TOO_COMPLEX). */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      onReject: [reject('depth', limits.maxDepth)],
    }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [reject('aliases', limits.maxAliases)] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [reject('directives', limits.maxDirectives)] }),
    maxRootFieldsRule(limits.maxRootFields),
  ];
}

// graphql-js's own message when parse() stops at `maxTokens` (its spelling).
const TOKEN_LIMIT = /Document contains more th(?:an|at) (\d+) tokens/;

/** Turns graphql-js's token-limit syntax error into QUERY_TOO_COMPLEX; null for any other error. */
export function tokenLimitError(message: string): AppError | null {
  const match = TOKEN_LIMIT.exec(message);
  return match ? queryTooComplex('tokens', Number(match[1]), null) : null;
}
