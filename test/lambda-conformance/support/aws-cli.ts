/** `aws lambda ...` (Debian's awscli) against the local platform, as a user would type it. */
import { AWS_CLI, clientEnv, run } from './clients.ts';

export interface AwsCliResult {
  /** 0 on success; the CLI exits 254 when the service answered an error, 252 on a usage error. */
  readonly code: number | null;
  /** stdout parsed as JSON; undefined when the CLI printed nothing. */
  readonly json: unknown;
  readonly stdout: string;
  /** Where the CLI puts a service error: `An error occurred (<code>) when calling the <Op> operation: <message>`. */
  readonly stderr: string;
}

export interface AwsCliOptions {
  /** The CLI's own read timeout per HTTP call (s); default 30. */
  readonly readTimeoutS?: number;
  /** Kills the CLI after this long (ms); default 60 000. */
  readonly timeoutMs?: number;
  readonly env?: Record<string, string>;
}

/** `aws lambda <args>` with the endpoint, JSON output and no pager. */
export async function awsLambda(endpoint: string, args: readonly string[], options: AwsCliOptions = {}): Promise<AwsCliResult> {
  const argv = ['lambda', ...args, '--endpoint-url', endpoint, '--cli-read-timeout', String(options.readTimeoutS ?? 30), '--cli-connect-timeout', '10', '--output', 'json', '--no-cli-pager'];
  const result = await run(AWS_CLI, argv, clientEnv(options.env), options.timeoutMs ?? 60_000);
  let json: unknown;
  if (result.stdout.trim()) {
    try {
      json = JSON.parse(result.stdout);
    } catch {
      throw new Error(`aws ${argv.join(' ')} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
  }
  return { ...result, json };
}

/** The error code in the CLI's `An error occurred (<code>) when calling ...` line, if any. */
export function awsErrorCode(stderr: string): string | undefined {
  return /An error occurred \(([^)]+)\) when calling the \w+ operation/.exec(stderr)?.[1];
}
