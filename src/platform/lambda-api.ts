/**
 * The Lambda REST API on the local platform, as `@aws-sdk/client-lambda`, boto3 and the AWS CLI
 * speak it: functions, invocation, versions and aliases, concurrency, tags (one file each, beside
 * this one; routes.ts maps paths to them). Shapes and error types follow Lambda's, so real clients
 * and tools built on them work unchanged; docs/lambda-fidelity.md says where the platform differs.
 *
 * These files know the platform only as a PlatformApi.
 */
export { sendLambdaError, statusOf } from './lambda-errors.ts';
export { createFunction, deleteFunction, getConfiguration, getFunction, listFunctions, updateConfiguration, updateFunctionCode } from './lambda-functions.ts';
export { invoke, invokeWithResponseStream } from './lambda-invoke.ts';
export { createAlias, deleteAlias, getAlias, listAliases, listVersions, publishVersion, updateAlias } from './lambda-versions.ts';
export { deleteFunctionConcurrency, deleteProvisioned, getAccountSettings, getFunctionConcurrency, getProvisioned, putFunctionConcurrency, putProvisioned } from './lambda-concurrency.ts';
export { listTags, tagResource, untagResource } from './lambda-tags.ts';
export { deleteEventInvokeConfig, getEventInvokeConfig, listEventInvokeConfigs, putEventInvokeConfig, updateEventInvokeConfig } from './lambda-event-invoke-config.ts';
export { downloadCode } from './code-location.ts';

