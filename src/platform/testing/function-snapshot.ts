/** A deployed function `f` as the platform's queues and runners see it, for unit tests that need no deployment. */
import { functionSettingsSchema } from '../../core/function-package.ts';
import type { FunctionSnapshot } from '../invocation.ts';

export function snapshotOfF(settings: Record<string, unknown>): FunctionSnapshot {
  return {
    name: 'f',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
    runtime: 'nodejs',
    runtimeId: 'nodejs',
    handler: 'index.handler',
    codeDir: '/nowhere',
    settings: functionSettingsSchema.parse(settings),
    revision: 1,
    version: '$LATEST',
  };
}
