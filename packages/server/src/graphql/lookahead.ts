import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects the field at `path` below it (`['nodes', 'teams']`), through fragments.
 * Lets a read path fetch in its own statement what a nested field would otherwise ask for in another one (the members
 * page's teams and totalCount). `@include` and `@skip` are not evaluated: a field selected under a condition counts as
 * selected, which costs at most work whose result is not sent.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const [depth, name] of path.entries()) {
    const found: SelectionSetNode[] = [];
    let selected = false;
    const visit = (set: SelectionSetNode, fragmentDepth: number) => {
      // Validation refuses fragment cycles; the bound only keeps this function total.
      if (fragmentDepth > 32) return;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          if (s.name.value !== name) continue;
          selected = true;
          if (s.selectionSet) found.push(s.selectionSet);
        } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet, fragmentDepth + 1);
        else {
          const fragment = info.fragments[s.name.value];
          if (fragment) visit(fragment.selectionSet, fragmentDepth + 1);
        }
      }
    };
    for (const set of sets) visit(set, 0);
    if (!selected) return false;
    if (depth === path.length - 1) return true;
    sets = found;
  }
  return false;
}
