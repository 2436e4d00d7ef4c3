/**
 * The text of a k6 script: comments saying what was exported and what differs from the plan,
 * `export const options` (the same object as workload_options.json), the request set up once in
 * the init context, and a default function that sends it. Plain k6 JavaScript, no build step.
 */
import type { K6Request, SecretHeader } from './k6-endpoint.ts';
import { k6Duration } from './k6-stages.ts';

/** k6's jslib aws, for SigV4 signing of calls to AWS itself (pinned: a script must not change under its user). */
export const K6_JSLIB_AWS = 'https://jslib.k6.io/aws/0.14.0/signature.js';

export interface ScriptParts {
  /** Comment lines at the top: what the script reproduces, then notes and warnings. */
  readonly heading: readonly string[];
  readonly options: unknown;
  readonly request: K6Request;
  /** Sleep after each call (sequential's gap), µs. */
  readonly gapUs: number;
}

const js = (value: unknown): string => JSON.stringify(value);

/** The options as JSON, one stage per line (a curve may have a hundred). */
export function k6OptionsJson(options: unknown): string {
  return JSON.stringify(options, null, 2).replace(/\{\n\s+"duration": ("[^"]*"),\n\s+"target": (\d+)\n\s+\}/g, '{ "duration": $1, "target": $2 }');
}
const comment = (line: string): string => `// ${line.replace(/\s*\n\s*/g, ' ')}`;

export function k6Script(parts: ScriptParts): string {
  const { request } = parts;
  const imports = [
    "import http from 'k6/http';",
    ...(parts.gapUs > 0 ? ["import { sleep } from 'k6';"] : []),
    ...(request.secretHeaders.some((h) => h.scheme.kind === 'basic') ? ["import encoding from 'k6/encoding';"] : []),
    ...(request.sigv4 ? [`import { Endpoint, SignatureV4 } from '${K6_JSLIB_AWS}';`] : []),
  ];
  return [
    ...parts.heading.map(comment),
    '',
    ...imports,
    '',
    `export const options = ${k6OptionsJson(parts.options)};`,
    '',
    ...(request.sigv4 ? signedRequest(request, request.sigv4) : plainRequest(request)),
    '',
    'export default function () {',
    ...(request.sigv4 ? signedCall() : ['  http.request(METHOD, URL, BODY, PARAMS);']),
    ...(parts.gapUs > 0 ? [`  // sequential --gap: the next call goes out this long after this one completed.`, `  sleep(${parts.gapUs / 1e6});`] : []),
    '}',
    '',
  ].join('\n');
}

function plainRequest(request: K6Request): string[] {
  return [
    `const METHOD = ${js(request.method)};`,
    `const URL = ${js(request.url)};`,
    `const BODY = ${js(request.body)};`,
    `const PARAMS = { headers: ${js(request.headers)}, timeout: ${js(k6Duration(request.timeoutMs * 1e6))} };`,
    ...request.secretHeaders.flatMap(secretHeader),
  ];
}

/** A secret from the environment, checked at start-up so a missing one fails before any call. */
function secretHeader(secret: SecretHeader): string[] {
  const env = `__ENV.${secret.env}`;
  const value = secret.scheme.kind === 'bearer' ? `'Bearer ' + ${env}` : `'Basic ' + encoding.b64encode(${js(`${secret.scheme.user}:`)} + ${env})`;
  return [
    `if (!${env}) throw new Error(${js(`set ${secret.env}: the script sends it as the ${secret.header} header`)});`,
    `PARAMS.headers[${js(secret.header)}] = ${value};`,
  ];
}

function signedRequest(request: K6Request, sigv4: NonNullable<K6Request['sigv4']>): string[] {
  const region = sigv4.region === null ? '__ENV.AWS_REGION' : js(sigv4.region);
  return [
    `const REGION = ${region};`,
    "if (!REGION) throw new Error('set AWS_REGION: the region of the function');",
    "if (!__ENV.AWS_ACCESS_KEY_ID || !__ENV.AWS_SECRET_ACCESS_KEY) throw new Error('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)');",
    `const PATH = ${js(sigv4.path)};`,
    `const BODY = ${js(request.body)};`,
    `const HEADERS = ${js(request.headers)};`,
    `const TIMEOUT = ${js(k6Duration(request.timeoutMs * 1e6))};`,
    "const ENDPOINT = new Endpoint('https://lambda.' + REGION + '.amazonaws.com');",
    'const signer = new SignatureV4({',
    "  service: 'lambda',",
    '  region: REGION,',
    '  credentials: { accessKeyId: __ENV.AWS_ACCESS_KEY_ID, secretAccessKey: __ENV.AWS_SECRET_ACCESS_KEY, sessionToken: __ENV.AWS_SESSION_TOKEN },',
    '  uriEscapePath: true,',
    '  applyChecksum: false,',
    '});',
  ];
}

/** Lambda's Invoke, signed per call: a signature holds its time. */
function signedCall(): string[] {
  return [
    "  const signed = signer.sign({ method: 'POST', endpoint: ENDPOINT, path: PATH, headers: Object.assign({}, HEADERS), body: BODY });",
    "  http.request('POST', signed.url, BODY, { headers: signed.headers, timeout: TIMEOUT });",
  ];
}
