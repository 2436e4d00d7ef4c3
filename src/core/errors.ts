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
  | 'PreconditionFailed'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Unauthorized';

export class FaasbenchError extends Error {
  readonly code: ErrorCode;
  /** Which limit or rule, where one code covers several (Lambda's throttle `Reason`). */
  readonly reason: string | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    this.name = 'FaasbenchError';
    this.code = code;
    this.reason = options?.reason;
  }
}

export function isFaasbenchError(err: unknown, code?: ErrorCode): err is FaasbenchError {
  return err instanceof FaasbenchError && (code === undefined || err.code === code);
}
