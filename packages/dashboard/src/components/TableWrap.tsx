import type { ReactNode } from 'react';

/**
 * A scrollable table container that keyboard users can focus and scroll (axe scrollable-region-focusable), named
 * after its table. `maxHeight` makes it scroll vertically too (long lists inside a dialog).
 */
export function TableWrap({ label, maxHeight, children }: { label: string; maxHeight?: number; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
    <section className="table-wrap" tabIndex={0} aria-label={label} style={maxHeight ? { maxHeight } : undefined}>
      {children}
    </section>
  );
}
