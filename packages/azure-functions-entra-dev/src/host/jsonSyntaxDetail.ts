/**
 * JSON.parse's complaint, made safe and useful for a settings file: V8 quotes a
 * snippet of the text in some messages ('Unexpected token ..., "<text>" is not valid
 * JSON'), and a settings file holds connection strings, so the snippet goes; the
 * position becomes a line and column a reader can jump to.
 */
export function jsonSyntaxDetail(error: SyntaxError, text: string): string {
  const message = error.message
    .replace(/, ".*is not valid JSON$/s, '')
    // Newer V8 adds its own "(line L column C)"; one form is printed, ours.
    .replace(/\s*\(line \d+ column \d+\)/, '');
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const offset = Number(position[1]);
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `${message} (line ${line}, column ${column})`;
}
