// The error bad events get. Its name is what the runtime reports as errorType, the same as the
// python lab's exception class, so callers can match on it across both languages.
export class InvalidInput extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/** A value as it appeared in the event, for error messages (python's json.dumps gives the same text). */
export const show = (value) => (value === undefined ? 'nothing' : JSON.stringify(value));

export const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
