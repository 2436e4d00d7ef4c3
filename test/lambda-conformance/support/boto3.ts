/**
 * A boto3 script (Debian's python3-boto3) against the local platform. The script is given as text
 * and runs after a prelude that defines:
 *   `client`: boto3's Lambda client for the endpoint (one attempt per call, 30 s read timeout);
 *   `emit(value)`: prints `value` as the script's one JSON result;
 *   `failure(fn)`: 'ok', or the error fn raised as {code, message, status, reason, requestId};
 *   `ENV`: os.environ, where `env` from the caller arrives.
 * Anything else the script prints to stdout breaks the result, so print diagnostics to stderr.
 */
import { clientEnv, PYTHON, run } from './clients.ts';

const PRELUDE = `
import json, os, sys
import boto3
from botocore.config import Config
ENV = os.environ
client = boto3.client('lambda', endpoint_url=ENV['FAASBENCH_ENDPOINT'],
                      config=Config(retries={'total_max_attempts': 1, 'mode': 'standard'}, read_timeout=30, connect_timeout=10))
def failure(fn):
    # 'ok', or what the client raised: its error code, message, HTTP status, Lambda's Reason and the request id.
    try:
        fn()
        return 'ok'
    except client.exceptions.ClientError as e:
        r = e.response
        return {'code': r['Error']['Code'], 'message': r['Error'].get('Message'), 'status': r['ResponseMetadata']['HTTPStatusCode'],
                'reason': r.get('Reason'), 'requestId': r['ResponseMetadata'].get('RequestId', '')}
def emit(value):
    sys.stdout.write(json.dumps(value, default=str))
    sys.stdout.flush()
`;

export interface Boto3Options {
  readonly env?: Record<string, string>;
  /** Kills python after this long (ms); default 120 000. */
  readonly timeoutMs?: number;
}

/** Runs the script and returns what it emitted; throws with its output when it fails or emits no JSON. */
export async function runBoto3<T = unknown>(endpoint: string, script: string, options: Boto3Options = {}): Promise<T> {
  // On stdin ('-'): nothing to write to disk, and tracebacks still name lines of the script.
  const result = await run(PYTHON, ['-'], clientEnv({ ...options.env, FAASBENCH_ENDPOINT: endpoint }), options.timeoutMs ?? 120_000, `${PRELUDE}\n${script}`);
  if (result.code !== 0) throw new Error(`boto3 script exited ${result.code ?? 'killed (timeout)'}:\n${result.stderr}${result.stdout}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`boto3 script printed no JSON result:\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
