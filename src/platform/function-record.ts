/**
 * One function as Lambda keeps it: the mutable `$LATEST`, its published versions (immutable code
 * and configuration), its aliases (a name for a version, optionally splitting calls with a second
 * version by weight), its reserved concurrency and its tags. Pure bookkeeping: no processes, no I/O.
 */
import { definedFields } from '../core/defined-fields.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { AliasInfo, AliasSpec, FunctionInfo } from './platform-api.ts';

/** A deployment the platform can start instances of: its public description and its staged code. */
export interface Deployment extends FunctionInfo {
  readonly codeDir: string;
}

export const LATEST = '$LATEST';
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;

export class FunctionRecord {
  readonly versions = new Map<string, Deployment>();
  readonly aliases = new Map<string, AliasInfo>();
  tags: Record<string, string> = {};
  /** Reserved concurrent executions (PutFunctionConcurrency), across all its versions. */
  reserved: number | undefined;
  /** When an event invoke config was put (its values live in `$LATEST`'s settings); undefined without one. */
  eventInvokeConfigAt: string | undefined;
  private nextVersion = 1;
  private aliasRevisions = 0;

  constructor(public latest: Deployment) {}

  get name(): string {
    return this.latest.name;
  }

  /**
   * Publishes `$LATEST` as the next version, or returns the newest version when neither code nor
   * configuration changed since (Lambda does not publish duplicates).
   */
  publish(qualifiedArn: (version: string) => string, description?: string): Deployment {
    const newest = [...this.versions.values()].at(-1);
    if (newest && newest.revision === this.latest.revision) return newest;
    const version = String(this.nextVersion++);
    const published: Deployment = {
      ...this.latest,
      version,
      arn: qualifiedArn(version),
      settings: { ...this.latest.settings, description: description ?? this.latest.settings.description },
      lastModified: new Date().toISOString(),
    };
    this.versions.set(version, published);
    return published;
  }

  /** `$LATEST` or a published version, by number. */
  version(version: string): Deployment {
    if (version === LATEST) return this.latest;
    const found = this.versions.get(version);
    if (!found) throw new FaasbenchError('ResourceNotFound', `Function not found: ${this.latest.arn}:${version}`);
    return found;
  }

  /** A version number, `$LATEST`, or an alias (its own version, not a weighted draw). */
  deploymentOf(qualifier: string): Deployment {
    const alias = this.aliases.get(qualifier);
    return this.version(alias ? alias.functionVersion : qualifier);
  }

  /** The version an invocation through `qualifier` runs: an alias draws among its weights. */
  pick(qualifier: string, draw: () => number = Math.random): Deployment {
    const alias = this.aliases.get(qualifier);
    if (!alias) return this.version(qualifier);
    let at = draw();
    for (const [version, weight] of Object.entries(alias.weights)) {
      if (at < weight) return this.version(version);
      at -= weight;
    }
    return this.version(alias.functionVersion);
  }

  deleteVersion(version: string): Deployment {
    if (version === LATEST) throw new FaasbenchError('InvalidParameterValue', '$LATEST version cannot be deleted without deleting the function.');
    const found = this.version(version);
    const users = [...this.aliases.values()].filter((a) => a.functionVersion === version || version in a.weights).map((a) => a.name);
    if (users.length > 0) {
      throw new FaasbenchError('ResourceConflict', `Unable to delete version because the following aliases reference it: [${users.join(', ')}]`);
    }
    this.versions.delete(version);
    return found;
  }

  alias(name: string): AliasInfo {
    const found = this.aliases.get(name);
    if (!found) throw new FaasbenchError('ResourceNotFound', `Alias not found: ${this.latest.arn}:${name}`);
    return found;
  }

  createAlias(name: string, spec: AliasSpec): AliasInfo {
    if (!ALIAS_NAME.test(name)) {
      throw new FaasbenchError('InvalidParameterValue', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
    }
    if (this.aliases.has(name)) throw new FaasbenchError('ResourceConflict', `Alias already exists: ${this.latest.arn}:${name}`);
    return this.storeAlias(name, { description: '', weights: {}, ...spec });
  }

  updateAlias(name: string, patch: Partial<AliasSpec>, revisionId?: string): AliasInfo {
    const current = this.alias(name);
    if (revisionId !== undefined && revisionId !== current.revisionId) throw preconditionFailed();
    return this.storeAlias(name, { ...current, ...definedFields(patch) });
  }

  deleteAlias(name: string): void {
    this.alias(name);
    this.aliases.delete(name);
  }

  private storeAlias(name: string, spec: Required<AliasSpec>): AliasInfo {
    this.version(spec.functionVersion);
    checkWeights(spec, (v) => this.version(v));
    const alias: AliasInfo = { name, functionVersion: spec.functionVersion, description: spec.description, weights: { ...spec.weights }, revisionId: `alias-${++this.aliasRevisions}` };
    this.aliases.set(name, alias);
    return alias;
  }
}

/** Lambda's routing rules: at most one extra version, published, not the alias's own, weight in [0, 1]. */
function checkWeights(spec: Required<AliasSpec>, exists: (version: string) => unknown): void {
  const entries = Object.entries(spec.weights);
  if (entries.length > 1) throw new FaasbenchError('InvalidParameterValue', 'Number of items in AdditionalVersionWeights cannot be greater than 1');
  for (const [version, weight] of entries) {
    if (version === LATEST || spec.functionVersion === LATEST) {
      throw new FaasbenchError('InvalidParameterValue', '$LATEST is not supported for an alias pointing to more than 1 version');
    }
    if (version === spec.functionVersion) throw new FaasbenchError('InvalidParameterValue', `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
    if (!(weight >= 0 && weight <= 1)) throw new FaasbenchError('InvalidParameterValue', `Invalid weight ${weight} for version ${version}: expected a number from 0.0 to 1.0`);
    exists(version);
  }
}

export function preconditionFailed(): FaasbenchError {
  return new FaasbenchError('PreconditionFailed', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
}
