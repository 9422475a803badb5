/** A summary figure: its label, the value (numbers grouped for the reader's locale, "…" while loading), a hint. */
export function Tile({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: number | string | undefined;
  hint?: string | undefined;
  testId?: string | undefined;
}) {
  return (
    <div className="card tile" data-testid={testId}>
      <div className="label">{label}</div>
      <div className="value">{value === undefined ? '…' : value.toLocaleString()}</div>
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}
