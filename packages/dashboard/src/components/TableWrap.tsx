import type { ReactNode } from 'react';

/**
 * A horizontally scrollable table container that keyboard users can focus and scroll (axe
 * scrollable-region-focusable), named after its table.
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
    <section className="table-wrap" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
