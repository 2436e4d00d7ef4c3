/**
 * Provider options arrive as a plain object (from the command line, a config file or code); each
 * provider validates its own with a zod schema, and a bad value names the provider and the field.
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';

export type ProviderOptions = Readonly<Record<string, unknown>>;

/** Options every HTTP-speaking provider takes (see ConnectionOptions). */
export const connectionFields = {
  timeoutMs: z.number().int().positive().optional(),
  connections: z.number().int().positive().optional(),
};

export function parseOptions<T extends z.ZodType>(provider: string, schema: T, options: ProviderOptions): z.output<T> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.map((k) => `"${k}"`).join(', ')}` : `option "${issue.path.join('.')}": ${issue.message}`,
  );
  throw new FaasbenchError('InvalidParameterValue', `provider ${provider}: ${problems.join('; ')}`);
}

/** An http(s) URL without a trailing slash, so paths can be appended. */
export const baseUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'expected an http:// or https:// URL')
  .transform((s) => s.replace(/\/+$/, ''));

export { definedFields } from '../core/defined-fields.ts';
