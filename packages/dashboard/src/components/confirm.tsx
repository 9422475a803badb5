import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { ConfirmDialog, type ConfirmDialogProps } from './ui';

export type ConfirmRequest = Omit<ConfirmDialogProps, 'open' | 'onOpenChange'>;

const ConfirmContext = createContext<(request: ConfirmRequest) => void>(() => undefined);

/**
 * One confirmation dialog for a whole screen: rows of a long table ask for it (`useConfirm()(…)`) instead of each
 * mounting dialogs of their own, which keeps scrolling cheap.
 */
export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const [open, setOpen] = useState(false);
  const ask = useCallback((r: ConfirmRequest) => {
    setRequest(r);
    setOpen(true);
  }, []);
  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      {request ? <ConfirmDialog {...request} open={open} onOpenChange={setOpen} /> : null}
    </ConfirmContext.Provider>
  );
}

export function useConfirm(): (request: ConfirmRequest) => void {
  return useContext(ConfirmContext);
}
