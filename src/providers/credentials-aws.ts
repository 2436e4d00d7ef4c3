/**
 * Which AWS credentials the aws-lambda provider (and `check-credentials`) uses, as an AWS user
 * expects: the SDK's own chain wins whenever it is configured (AWS_ACCESS_KEY_ID, AWS_PROFILE,
 * ~/.aws's default profile...), so `AWS_PROFILE=prod faasbench ...` works as with any AWS tool;
 * the keys `faasbench login aws` stored serve when the chain has nothing, or when
 * `-o profile=faasbench` asks for them by name. An `endpoint` (the local platform, LocalStack)
 * gets dummy keys unless a profile is named, so real keys are never sent to it unasked.
 *
 * The chain is judged from its configuration (environment and files), never by asking an
 * instance metadata service: that would cost seconds on a machine outside AWS.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import { credentialsPath, storedAws, type AwsEntry } from './credentials-file.ts';

/** The profile name that selects the stored keys. */
export const STORED_PROFILE = 'faasbench';

export interface AwsAuth {
  /** Static keys to sign with; undefined: the SDK resolves them itself (its chain, or `profile`). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  readonly profile?: string;
  /** The stored region, when the stored keys are used and nothing else names one. */
  readonly region?: string;
  /** Where the credentials come from, for a person to read (never a secret). */
  readonly source: string;
}

export interface AwsAuthOptions {
  readonly endpoint?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly token?: string;
}

export function awsAuth(o: AwsAuthOptions, env: NodeJS.ProcessEnv = process.env, file = credentialsPath(env)): AwsAuth {
  if (o.profile === STORED_PROFILE) return fromStored(required(file), o, env, file);
  if (o.profile) return { profile: o.profile, source: `profile "${o.profile}" (option profile)` };
  if (o.endpoint) {
    const accessKeyId = o.token ?? 'faasbench';
    return { credentials: { accessKeyId, secretAccessKey: 'faasbench' }, source: o.token ? 'the endpoint\'s token (option token)' : 'dummy keys for an endpoint' };
  }
  const chain = sdkChainSource(env);
  if (chain) return { source: `the AWS SDK's chain: ${chain}` };
  const stored = storedAws(file);
  if (stored) return fromStored(stored, o, env, file);
  return { source: "the AWS SDK's chain (nothing configured: no AWS_ACCESS_KEY_ID, AWS_PROFILE or ~/.aws files, and nothing stored by `faasbench login aws`)" };
}

function required(file: string): AwsEntry {
  const stored = storedAws(file);
  if (stored) return stored;
  throw new FaasbenchError('InvalidParameterValue', `provider aws-lambda: option "profile": "${STORED_PROFILE}" selects the keys \`faasbench login aws\` stores, and ${file} holds none`, { reason: 'credentials-missing' });
}

function fromStored(stored: AwsEntry, o: AwsAuthOptions, env: NodeJS.ProcessEnv, file: string): AwsAuth {
  const { accessKeyId, secretAccessKey, sessionToken } = stored;
  const region = o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? stored.region;
  return {
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    ...(region ? { region } : {}),
    source: `stored by \`faasbench login aws\` (${file})`,
  };
}

/**
 * What configures the SDK's default chain here, or null: the environment first, then the default
 * profile of the shared files, as the chain itself looks.
 */
export function sdkChainSource(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  if (env.AWS_PROFILE) return `profile "${env.AWS_PROFILE}" (AWS_PROFILE)`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*)';
  const home = env.HOME || os.homedir();
  const sharedFiles = [
    [env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'), /^\s*default\s*$/],
    [env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'), /^\s*(profile\s+)?default\s*$/],
  ] as const;
  for (const [file, name] of sharedFiles) if (sectionHasCredentials(readOrEmpty(file), name)) return `the default profile in ${file}`;
  return null;
}

/** Keys that make a profile yield credentials; a default profile holding only `region` does not. */
const CREDENTIAL_KEY = /^\s*(aws_access_key_id|credential_process|credential_source|role_arn|web_identity_token_file|sso_session|sso_start_url)\s*=/m;

function sectionHasCredentials(ini: string, name: RegExp): boolean {
  // Sections in order: the text after each "[name]" up to the next header.
  const parts = ini.split(/^\s*\[([^\]]*)\]\s*$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) if (name.test(parts[i] as string) && CREDENTIAL_KEY.test(parts[i + 1] as string)) return true;
  return false;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
