/**
 * A LIKE pattern matching values that contain `text` literally: `\`, `%` and `_` are escaped (PostgreSQL's default
 * escape is `\`).
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
