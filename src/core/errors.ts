/**
 * Errors that cross folder boundaries. Each carries a stable `code` (what a script or an HTTP
 * mapping switches on) and a message meant for a person: it names the file, field or function
 * involved and what was expected.
 */
export type ErrorCode =
  | 'InvalidFunctionPackage'
  | 'InvalidParameterValue'
  | 'InvalidRequestContent'
  | 'RequestTooLarge'
  | 'ResourceNotFound'
  | 'ResourceConflict'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Unauthorized';

export class FaasbenchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaasbenchError';
    this.code = code;
  }
}

export function isFaasbenchError(err: unknown, code?: ErrorCode): err is FaasbenchError {
  return err instanceof FaasbenchError && (code === undefined || err.code === code);
}
