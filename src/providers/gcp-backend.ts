/**
 * Where gcp-functions puts its functions: Google Cloud (gcp-cloud.ts) or Google's Functions
 * Framework run locally (gcp-emulator.ts). The provider builds the package and calls the trigger
 * URL; a backend only creates, changes and removes functions and says where each answers.
 */
import type { FunctionManifest } from '../core/function-package.ts';

/** What a deploy hands a backend: the checked manifest and the package as uploaded. */
export interface GcpDeployment {
  readonly manifest: FunctionManifest;
  readonly zip: Uint8Array;
  /** The package's environment with the entry point's variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Cloud Functions' runtime id (nodejs20, python311...). */
  readonly runtime: string;
}

/** The settings a deployed function can change without a new package. */
export interface GcpSettingsPatch {
  readonly memoryMb?: number;
  readonly timeoutS?: number;
  readonly description?: string;
  /** The package's own variables; the backend keeps the entry point's beside them. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly maxInstances?: number;
  readonly concurrency?: number;
}

export const UPDATABLE_SETTINGS: ReadonlySet<string> = new Set(['memoryMb', 'timeoutS', 'description', 'environment', 'maxInstances', 'concurrency']);

export interface GcpBackend {
  /** Creates the function or replaces it whole; resolves when it answers at its URL. */
  deploy(deployment: GcpDeployment): Promise<void>;
  /** Rejects with ResourceNotFound for a function it does not have. */
  update(fn: string, patch: GcpSettingsPatch): Promise<void>;
  /** Rejects with ResourceNotFound for a function it does not have. */
  remove(fn: string): Promise<void>;
  /** The function's HTTPS trigger, or null when there is no such function. */
  urlOf(fn: string): Promise<string | null>;
  close(): Promise<void>;
}
