// Argument checks shared by every command. Each failure names the command and the field, so a
// caller sees which part of a large cmds object was wrong.

/** Bad input: the caller's fault; nothing was run. */
export class InvalidCommand extends Error {
  name = 'InvalidCommand';
}

/** A valid command that could not finish (iperf3 missing, server silent, disk full). */
export class CommandFailed extends Error {
  name = 'CommandFailed';
}

export const show = (value) => (value === undefined ? 'nothing' : JSON.stringify(value));

/** `cmd.field` for an object argument, `cmd` for a scalar one. */
const where = (cmd, field) => (field ? `${cmd}.${field}` : cmd);

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

export function expectObject(cmd, value, fields) {
  if (!isObject(value)) throw new InvalidCommand(`${cmd}: expected an object with ${fields.join(', ')}, got ${show(value)}`);
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) throw new InvalidCommand(`${cmd}: unknown field "${key}" (expected ${fields.join(', ') || 'no fields'})`);
  }
  return value;
}

/** `true` or an object with only the allowed fields (none for a bare flag). */
export function expectFlag(cmd, value, fields = []) {
  if (value === true) return {};
  if (!isObject(value)) {
    throw new InvalidCommand(`${cmd}: expected true or an object${fields.length ? ` with ${fields.join(', ')}` : ''}, got ${show(value)}`);
  }
  return expectObject(cmd, value, fields);
}

export function expectNumber(cmd, field, value, min, max) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidCommand(`${where(cmd, field)}: expected a number from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

export function expectInteger(cmd, field, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidCommand(`${where(cmd, field)}: expected an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}
