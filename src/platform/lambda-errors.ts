/**
 * Lambda's error shapes: the HTTP status and `x-amzn-errortype` for each faasbench error code, and
 * the body boto3 and the JS SDK read (`Type`, `Message`/`message`, and `Reason` on a throttle).
 */
import type { ServerResponse } from 'node:http';
import type { ErrorCode, FaasbenchError } from '../core/errors.ts';
import { sendJson } from './http-io.ts';

const ERROR_STATUS: Record<ErrorCode, [number, string]> = {
  InvalidFunctionPackage: [400, 'InvalidParameterValueException'],
  InvalidParameterValue: [400, 'InvalidParameterValueException'],
  InvalidRequestContent: [400, 'InvalidRequestContentException'],
  RequestTooLarge: [413, 'RequestTooLargeException'],
  ResourceNotFound: [404, 'ResourceNotFoundException'],
  ResourceConflict: [409, 'ResourceConflictException'],
  PreconditionFailed: [412, 'PreconditionFailedException'],
  TooManyRequests: [429, 'TooManyRequestsException'],
  ServiceUnavailable: [503, 'ServiceException'],
  Unauthorized: [403, 'UnrecognizedClientException'],
};

/** The HTTP status Lambda answers an error with. */
export function statusOf(err: FaasbenchError): number {
  return ERROR_STATUS[err.code][0];
}

/**
 * `errorType` overrides the type the error's code maps to, where Lambda names one case apart; so
 * does an error's `reason` when it names an exception (ProvisionedConcurrencyConfigNotFoundException).
 * A throttle's reason is Lambda's `Reason` field instead.
 */
export function sendLambdaError(res: ServerResponse, err: FaasbenchError, errorType?: string): void {
  const [status, mapped] = ERROR_STATUS[err.code];
  const throttle = err.code === 'TooManyRequests';
  const named = !throttle && err.reason?.endsWith('Exception') ? err.reason : undefined;
  const type = errorType ?? named ?? mapped;
  const extra = throttle ? { Reason: err.reason ?? 'ReservedFunctionConcurrentInvocationLimitExceeded' } : {};
  sendJson(res, status, { Type: 'User', Message: err.message, message: err.message, ...extra }, { 'x-amzn-errortype': type });
}
