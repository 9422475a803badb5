import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';

@ObjectType({
  description:
    'Relay pagination state of a connection (the four fields of the Relay cursor connections specification).',
})
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows this one.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description:
      'Whether a page precedes this one: true when it was asked for with `after` (lists page forward only, so this ' +
      'is not checked against the rows).',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the first edge of this page; null when the page is empty.',
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last edge: pass as `after` to fetch the next page; null when the page is empty.',
  })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: TotalCount;
}

/**
 * How many items a connection matches over all pages: known already, or counted only if the document selects
 * `totalCount` (see `lazyTotalCount`), so a page that does not ask for it does not pay for the count.
 */
export type TotalCount = number | (() => Promise<number>);

/** A count run on first use only and remembered (a document may select `totalCount` under several aliases). */
export function lazyTotalCount(count: () => Promise<number>): () => Promise<number> {
  let counted: Promise<number> | undefined;
  return () => {
    counted ??= count();
    return counted;
  };
}

/** Builds `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>, description: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeClass {
    @Field(() => String, { description: 'Opaque position of this edge; pass as `after`.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description })
  class ConnectionClass {
    @Field(() => [EdgeClass], { description: 'The page, with cursors.' })
    edges!: EdgeClass[];

    @Field(() => [nodeType], { description: 'The page, without cursors.' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Whether more pages follow.' })
    pageInfo!: PageInfo;

    /** What the service returned; the GraphQL field is `resolveTotalCount`, which runs a lazy count when selected. */
    totalCount!: TotalCount;

    @Field(() => Int, { name: 'totalCount', description: 'How many items match, over all pages.' })
    resolveTotalCount(): number | Promise<number> {
      return typeof this.totalCount === 'function' ? this.totalCount() : this.totalCount;
    }
  }
  return ConnectionClass;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

// Reading `first` and `after` and building a connection's edges is the cursor codec's job: see cursor.ts.
