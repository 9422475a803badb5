/**
 * graphql-codegen plugin that writes src/generated/sdk.ts: the mechanical part of the client,
 * derived from src/operations/*.graphql and the schema.
 *
 * For every operation `Foo` it emits a method `foo(args, options?)` on `RosterOperations`:
 * - a mutation whose only variable is `$input` takes the input object itself; any other operation
 *   takes its variables as one object (optional when no variable is required);
 * - a mutation returns its payload; a query's result is unwrapped along its single-field path
 *   (`organization { members { … } }` returns the connection); a nullable object on the way that
 *   comes back null throws (`present`), and so does a lookup by natural key at the end of the path (a
 *   nullable query field with arguments, e.g. `organization(name)`, `team(…)`: the API answers null for
 *   "absent or invisible", the method throws NotFoundError); `viewer` (no arguments) stays nullable;
 * - a connection (selects `pageInfo` and `nodes`, has `$first` and `$after`) also gets `iterateFoo`.
 * Operations that need an `organization` (a required `$organization` variable or input field) are
 * repeated on `OrganizationOperations` without it, those that also need a `team` on `TeamOperations`,
 * named without the words "Organization" or "Team" (`addTeamMember` → `team(…).addMember`; an empty
 * name becomes `get`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

interface Step {
  key: string;
  /** The field may be null. */
  nullable: boolean;
  /** A query field with arguments: a lookup, null when absent or invisible. */
  lookup: boolean;
}

interface Operation {
  name: string;
  kind: 'query' | 'mutation';
  method: string;
  /** `input`: the method takes the input object; `variables`: the variables object. */
  style: 'input' | 'variables';
  /** TypeScript type of the method's argument. */
  argsType: string;
  argsRequired: boolean;
  /** Required keys of the argument (top-level variables, or the input's fields). */
  required: Set<string>;
  steps: Step[];
  resultType: string;
  description: string | undefined;
  paginated: boolean;
}

const ORG = 'organization';
const TEAM = 'team';

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** `updateTeamMemberRole` without the word "Team" is `updateMemberRole`; nothing left is `get`. */
function withoutWord(method: string, word: string): string {
  const words = method.split(/(?=[A-Z])/).filter((w) => w.toLowerCase() !== word.toLowerCase());
  if (words.length === 0) return 'get';
  return lowerFirst(words.map(upperFirst).join(''));
}

function comment(text: string | undefined, indent: string): string {
  if (!text) return '';
  const lines = text.replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function onlyField(selectionSet: SelectionSetNode | undefined): FieldNode | undefined {
  if (selectionSet?.selections.length !== 1) return undefined;
  const [selection] = selectionSet.selections;
  return selection?.kind === Kind.FIELD ? selection : undefined;
}

function selects(selectionSet: SelectionSetNode | undefined, name: string): boolean {
  return !!selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name);
}

function readOperation(schema: GraphQLSchema, op: OperationDefinitionNode): Operation {
  const name = op.name?.value;
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    throw new Error(
      `Every operation needs a PascalCase name (the method is named after it); got ${JSON.stringify(name)}.`,
    );
  }
  if (op.operation === 'subscription') throw new Error(`${name}: subscriptions are not supported.`);
  const kind = op.operation;
  const typeSuffix = kind === 'query' ? 'Query' : 'Mutation';
  const variables = op.variableDefinitions ?? [];

  // The argument: the input object of a `$input`-only mutation, else the variables.
  let style: Operation['style'] = 'variables';
  let argsType = `D.${name}${typeSuffix}Variables`;
  const required = new Set<string>();
  const [only] = variables;
  if (kind === 'mutation' && variables.length === 1 && only && only.variable.name.value === 'input') {
    const named = only.type.kind === Kind.NON_NULL_TYPE ? only.type.type : only.type;
    if (named.kind !== Kind.NAMED_TYPE) throw new Error(`${name}: $input must be an input object, not a list.`);
    const inputType = schema.getType(named.name.value);
    if (!isInputObjectType(inputType))
      throw new Error(`${name}: ${named.name.value} is not an input type of the schema.`);
    style = 'input';
    argsType = `D.${inputType.name}`;
    for (const field of Object.values(inputType.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) required.add(field.name);
    }
  } else {
    for (const v of variables) {
      if (v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue) required.add(v.variable.name.value);
    }
  }

  // The result: follow single-field selections down to the interesting object.
  const steps: Step[] = [];
  let parent: GraphQLObjectType | null | undefined =
    kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  let selectionSet: SelectionSetNode | undefined = op.selectionSet;
  let last: FieldNode | undefined;
  let description: string | undefined;
  for (let field = onlyField(selectionSet); field && parent; field = onlyField(selectionSet)) {
    const def = parent.getFields()[field.name.value];
    if (!def) throw new Error(`${name}: ${parent.name}.${field.name.value} is not in the schema.`);
    steps.push({
      key: field.alias?.value ?? field.name.value,
      nullable: !isNonNullType(def.type),
      lookup: kind === 'query' && def.args.length > 0,
    });
    description = def.description ?? description;
    last = field;
    selectionSet = field.selectionSet;
    const type = getNullableType(def.type);
    // A mutation returns its payload object, whatever it selects: payloads grow fields.
    if (kind === 'mutation' || !field.selectionSet || isListType(type)) break;
    const named = getNamedType(type);
    parent = isObjectType(named) ? named : null;
  }
  let resultType = `D.${name}${typeSuffix}`;
  steps.forEach((step, i) => {
    const previous = steps[i - 1];
    const base = previous?.nullable ? `NonNullable<${resultType}>` : resultType;
    resultType = `${base}['${step.key}']`;
  });
  const final = steps.at(-1);
  if (final && throwsWhenNull(final)) resultType = `NonNullable<${resultType}>`;
  const variableNames = new Set(variables.map((v) => v.variable.name.value));
  const paginated =
    !!last &&
    selects(last.selectionSet, 'pageInfo') &&
    selects(last.selectionSet, 'nodes') &&
    variableNames.has('first') &&
    variableNames.has('after');

  return {
    name,
    kind,
    method: lowerFirst(name),
    style,
    argsType,
    argsRequired: required.size > 0,
    required,
    steps,
    resultType,
    description,
    paginated,
  };
}

/** Whether a null at the end of the path throws NotFoundError: a nullable lookup by natural key. */
function throwsWhenNull(step: Step): boolean {
  return step.nullable && step.lookup;
}

/**
 * `d.organization.members`, with `present(…)` around values that may be null on the way (and a null lookup at the end).
 */
function unwrapExpression(op: Operation): string {
  let expr = 'd';
  op.steps.forEach((step, i) => {
    const previous = op.steps[i - 1];
    if (previous?.nullable) expr = `present(${expr}, '${previous.key}', '${op.name}', d)`;
    expr = `${expr}.${step.key}`;
  });
  const final = op.steps.at(-1);
  if (final && throwsWhenNull(final)) expr = `present(${expr}, '${final.key}', '${op.name}', d)`;
  return expr;
}

function clientMethods(op: Operation): string {
  const arg = op.style === 'input' ? 'input' : 'args';
  const param = op.argsRequired ? `${arg}: ${op.argsType}` : `${arg}: ${op.argsType} = {}`;
  const variables = op.style === 'input' ? '{ input }' : 'args';
  const unwrap = op.steps.length > 0 ? `.then((d) => ${unwrapExpression(op)})` : '';
  let out = comment(op.description, '  ');
  out += `  ${op.method}(${param}, options?: RequestOptions): Promise<${op.resultType}> {\n`;
  out += `    return this.send(D.${op.name}Document, ${variables}, options)${unwrap};\n  }\n`;
  if (op.paginated) {
    const omitted = `Omit<${op.argsType}, 'first' | 'after'> & IterateOptions`;
    out += `\n  /** Every node of \`${op.method}\`, fetched page by page (\`pageSize\` per request, default 100). */\n`;
    out +=
      `  iterate${upperFirst(op.method)}(args: ${omitted}${op.argsRequired ? '' : ' = {}'}, options?: ` +
      `RequestOptions): AsyncIterable<${op.resultType}['nodes'][number]> {\n`;
    out += `    const { pageSize = DEFAULT_PAGE_SIZE, ...rest } = args;\n`;
    out += `    return paginate((after) => this.${op.method}({ ...rest, first: pageSize, after }, options));\n  }\n`;
  }
  return out;
}

/** A method of a scope class that fills in `organization` (and `team`) and calls the client. */
function scopeMethods(op: Operation, scopeName: string, fixed: readonly string[]): string {
  const omit = fixed.map((k) => `'${k}'`).join(' | ');
  const rest = [...op.required].filter((k) => !fixed.includes(k));
  const fill = fixed.map((k) => `${k}: this.${k}`).join(', ');
  const arg = op.style === 'input' ? 'input' : 'args';
  const param = `${arg}: Omit<${op.argsType}, ${omit}>${rest.length > 0 ? '' : ' = {}'}`;
  let out = comment(op.description, '  ');
  out += `  ${scopeName}(${param}, options?: RequestOptions): ReturnType<RosterOperations['${op.method}']> {\n`;
  out += `    return this.client.${op.method}({ ...${arg}, ${fill} }, options);\n  }\n`;
  if (op.paginated) {
    const iterate = `iterate${upperFirst(op.method)}`;
    out += `\n  /** Every node of \`${scopeName}\`, fetched page by page (\`pageSize\` per request, default 100). */\n`;
    out +=
      `  iterate${upperFirst(scopeName)}(args: Omit<${op.argsType}, ${omit} | 'first' | 'after'> & ` +
      `IterateOptions${rest.length > 0 ? '' : ' = {}'}, options?: RequestOptions): ` +
      `ReturnType<RosterOperations['${iterate}']> {\n`;
    out += `    return this.client.${iterate}({ ...args, ${fill} }, options);\n  }\n`;
  }
  return out;
}

function sdkVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  if (typeof version !== 'string') throw new Error('package.json has no version.');
  return version;
}

export interface DocumentFile {
  document?: DocumentNode;
}

export function plugin(schema: GraphQLSchema, documents: readonly DocumentFile[]): string {
  const operations: Operation[] = [];
  for (const file of documents) {
    for (const def of file.document?.definitions ?? []) {
      if (def.kind === Kind.OPERATION_DEFINITION) operations.push(readOperation(schema, def));
    }
  }
  operations.sort((a, b) => a.method.localeCompare(b.method));

  const seen = new Set<string>();
  for (const op of operations) {
    for (const name of [op.method, ...(op.paginated ? [`iterate${upperFirst(op.method)}`] : [])]) {
      if (seen.has(name)) throw new Error(`Two operations make the method ${name}.`);
      seen.add(name);
    }
  }

  const scopes = [
    {
      className: 'OrganizationOperations',
      fixed: [ORG],
      word: 'Organization',
      reserved: ['client', ORG, TEAM, 'inviteMany'],
    },
    { className: 'TeamOperations', fixed: [ORG, TEAM], word: 'Team', reserved: ['client', ORG, TEAM] },
  ] as const;

  let out =
    `/* eslint-disable */
// Generated by codegen/sdk-plugin.ts from src/operations/*.graphql and ../schema/schema.graphql. Do not edit: run ` +
    `\`pnpm codegen\`.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import * as D from './graphql.js';
import { DEFAULT_PAGE_SIZE, paginate, present, type IterateOptions, type RequestOptions } from '../runtime.js';

/** This SDK's version (package.json), sent in the User-Agent and x-roster-client headers. */
export const SDK_VERSION = '${sdkVersion()}';

/**
 * One method per operation in src/operations (named after it), returning the unwrapped result,
 * and an \`iterate…\` method per connection. \`RosterClient\` extends this with the transport.
 */
export abstract class RosterOperations {
  /** Sends one operation; implemented by RosterClient. */
  protected abstract send<TResult, TVariables>(document: DocumentTypeDecoration<TResult, TVariables>, variables: ` +
    `TVariables, options: RequestOptions | undefined): Promise<TResult>;

${operations.map(clientMethods).join('\n')}}
`;

  for (const scope of scopes) {
    const members: string[] = [];
    const names = new Set<string>();
    for (const op of operations) {
      const needed = scope.fixed.every((k) => op.required.has(k));
      const tooMuch = scope.fixed.length === 1 && op.required.has(TEAM);
      if (!needed || tooMuch) continue;
      const scopeName = withoutWord(op.method, scope.word);
      for (const n of [scopeName, ...(op.paginated ? [`iterate${upperFirst(scopeName)}`] : [])]) {
        if (names.has(n) || (scope.reserved as readonly string[]).includes(n)) {
          throw new Error(`${scope.className}: the method name ${n} (from ${op.name}) is taken; rename the operation.`);
        }
        names.add(n);
      }
      members.push(scopeMethods(op, scopeName, scope.fixed));
    }
    const fields = scope.fixed.map((k) => `readonly ${k}: string`).join(', ');
    out +=
      `
/** The operations that take ${scope.fixed.map((k) => `\`${k}\``).join(' and ')}, with ` +
      `${scope.fixed.length > 1 ? 'them' : 'it'} filled in. */
export class ${scope.className}<C extends RosterOperations = RosterOperations> {
  constructor(readonly client: C, ${fields}) {}

${members.join('\n')}}
`;
  }
  return out;
}
