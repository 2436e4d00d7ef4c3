/**
 * Whether a run deploys its function(s) first. Providers whose functions are addressed by a URL
 * or an endpoint (`http`, `grpc`) deploy nothing (their deploy() refuses), so a run through them
 * does as `--no-deploy` would, and needs no function folder: `invoke x --provider http -o url=...`
 * works as written.
 */
const DEPLOY_NOTHING = new Set(['http', 'grpc']);

/** `asked`: --deploy (true), --no-deploy (false) or neither (undefined). */
export function deployBeforeRun(provider: string, asked: boolean | undefined, say: (message: string) => void): boolean {
  if (!DEPLOY_NOTHING.has(provider)) return asked ?? true;
  if (asked === true) say(`the ${provider} provider deploys nothing (its functions are addressed by URL or endpoint): --deploy ignored`);
  return false;
}
