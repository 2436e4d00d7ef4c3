/**
 * The Kubernetes Indexed Job that spreads one load plan over nodes: N pods (completions), each
 * running `faasbench invoke ... --shard <index>/N` with the same --run-id and --start-at, all
 * writing to one PostgreSQL store whose URL comes from a Secret. Pure: the command writes it,
 * tests validate it against Kubernetes' schema and run its pod commands as local processes.
 */

export const INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The store the CLI opens when given no --store. */
export const STORE_ENV = 'FAASBENCH_STORE';
/** Where the project's image (Dockerfile) installs the project. */
export const IMAGE_WORKDIR = '/app';
export const IMAGE_COMMAND: readonly string[] = ['node', 'bin/faasbench.mjs'];

export interface K8sJobInput {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** Shards: the Job's completions. */
  readonly shards: number;
  /** Pods at once; fewer than `shards` means later shards start after earlier ones end. */
  readonly parallelism: number;
  readonly secretName: string;
  readonly secretKey: string;
  /** `invoke` arguments before the shard's own: function, pattern, provider, payload, run id, start. */
  readonly invokeArgs: readonly string[];
}

export function k8sJob(input: K8sJobInput): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': 'faasbench', 'app.kubernetes.io/instance': input.name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: input.name, namespace: input.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: input.shards,
      parallelism: input.parallelism,
      // A shard run twice would send its calls twice into the same run: a failed pod is reported, not retried.
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'shard',
              image: input.image,
              workingDir: IMAGE_WORKDIR,
              command: [...IMAGE_COMMAND],
              // The kubelet expands $(NAME) from the container's env: each pod gets its own index.
              args: [...input.invokeArgs, '--shard', `$(${INDEX_ENV})/${input.shards}`],
              env: [
                // The Job controller sets this too; declaring it makes the $(...) expansion above certain.
                { name: INDEX_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
                { name: STORE_ENV, valueFrom: { secretKeyRef: { name: input.secretName, key: input.secretKey } } },
              ],
            },
          ],
        },
      },
    },
  };
}
