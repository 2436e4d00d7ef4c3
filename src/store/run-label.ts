/** What a run's label may be: one short line that names the run (`--label`), checked alike by the CLI and the store. */

/** Longer labels would not fit a runs table; a label names a run, it does not describe it. */
export const MAX_LABEL_CHARS = 100;

export const LABEL_RULE = `text of 1 to ${MAX_LABEL_CHARS} characters on one line`;

/** A control character (line breaks, tabs, escapes) would break the runs table and the terminal. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_LABEL_CHARS && !hasControl(value);
}
