/** One page of a Relay connection, as far as iteration needs it. */
export interface Page<T> {
  nodes: readonly T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Walks a Relay connection page by page, yielding every node. `fetchPage` gets
 * the previous page's `endCursor` (null for the first page). Pages are fetched
 * lazily: breaking out of a `for await` loop stops fetching.
 */
export async function* paginate<T>(fetchPage: (after: string | null) => Promise<Page<T>>): AsyncIterable<T> {
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetchPage(after);
    yield* page.nodes;
    const { hasNextPage, endCursor } = page.pageInfo;
    if (!hasNextPage || endCursor === null) return;
    // A cursor that does not move would loop forever; fail loudly instead.
    if (endCursor === after)
      throw new Error(`Pagination did not advance: the server returned endCursor ${JSON.stringify(endCursor)} twice.`);
    after = endCursor;
  }
}
