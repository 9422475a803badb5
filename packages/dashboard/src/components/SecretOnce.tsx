import { Button } from './ui';

/**
 * A new secret (an API key), shown once in its creation dialog: copy it now, then Done. Its hash is all the server
 * keeps, so this is the only time anyone sees it.
 */
export function SecretOnce({ secret, testId, onDone }: { secret: string; testId: string; onDone: () => void }) {
  return (
    <div className="stack">
      <p>
        Copy the key now: <strong>it is shown only once</strong>.
      </p>
      <output className="secret" data-testid={testId}>
        {secret}
      </output>
      <div className="dialog-actions">
        <Button onClick={() => void navigator.clipboard?.writeText(secret)}>Copy</Button>
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
