import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Button, ErrorMessage } from './ui';

interface Feedback {
  /** Shows a failed action's server message (until dismissed or the next action). */
  fail: (title: string, error: unknown) => void;
  /** Announces a finished action (polite live region). */
  done: (message: string) => void;
}

const FeedbackContext = createContext<Feedback>({ fail: () => undefined, done: () => undefined });

/** The outcome of row actions (menus, inline edits), shown above the screen's content. */
export function FeedbackProvider({ children }: { children: ReactNode }) {
  const [failure, setFailure] = useState<{ title: string; error: unknown } | null>(null);
  const [message, setMessage] = useState('');
  const fail = useCallback((title: string, error: unknown) => {
    setMessage('');
    setFailure({ title, error });
  }, []);
  const done = useCallback((m: string) => {
    setFailure(null);
    setMessage(m);
  }, []);
  const value = useMemo(() => ({ fail, done }), [fail, done]);
  return (
    <FeedbackContext.Provider value={value}>
      {failure ? (
        <div className="row" style={{ marginBottom: '0.75rem', alignItems: 'flex-start' }}>
          <div className="spacer">
            <ErrorMessage error={failure.error} title={failure.title} />
          </div>
          <Button variant="ghost" onClick={() => setFailure(null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
      <p className="hint" role="status" data-testid="feedback">
        {message}
      </p>
      {children}
    </FeedbackContext.Provider>
  );
}

export function useFeedback(): Feedback {
  return useContext(FeedbackContext);
}
