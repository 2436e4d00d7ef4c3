/**
 * Client-side cold-start inference, for providers that do not say which calls were cold, and its
 * accuracy against the platform's ground truth (record.cold) wherever that exists.
 *
 * Two methods, both run on every function so each can be checked:
 * - instance-id: a call is cold when its instance id (X-Faasbench-Instance-Id, measure's `stat`,
 *   lab's `identifier`: whatever the provider put in record.instanceId) was not seen before. "Before"
 *   is by send time, not seq, so calls reordered by lateness or served concurrently by one instance
 *   still give the instance's first call. It assumes no instance served the function before the
 *   run: on a pre-warmed function each instance's first call is wrongly counted cold.
 * - latency: a two-cluster split of log latency per function, over answered (ok) calls. Cold
 *   starts add an init of tens to thousands of ms to a warm latency, so the two form separate
 *   clusters in log space. The split is the largest empty gap between observed latencies when
 *   that gap is at least 2x wide (it finds a handful of cold starts among thousands of warm calls,
 *   which Otsu's method misses because it favours balanced classes), else Otsu's threshold. Either
 *   is kept only when the clusters' geometric means differ at least 3x (and, for Otsu, Ashman's D
 *   >= 3, which no single log-normal reaches): otherwise every call counts as warm.
 * The method that decides a function's figures is instance-id when at least half its answered calls
 * carry an instance id, else latency.
 *
 * Memory: one entry per instance and one per occupied latency bin (bins 0.1% wide on log µs) for
 * the classification; for the exact cold and warm latency figures of the chosen split, the ok
 * measured latencies themselves (8 bytes each), but only until a measured call carries the
 * platform's cold flag: from then on the platform's flag decides (run-analysis.ts) and no split is
 * kept, which spares a function with ground truth two copies of its latencies.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { LatencyAccumulator } from './latency-accumulator.ts';

export type InferenceMethod = 'instance-id' | 'latency';

/** Largest-gap split: the gap must be at least this ratio wide. */
export const MIN_GAP_RATIO = 2;
/** Either split: the cold cluster's geometric mean latency over the warm one's. */
export const MIN_CLUSTER_RATIO = 3;
/** Otsu split: Ashman's D between the clusters (a single normal split at its mean gives 2.67). */
export const MIN_SEPARATION = 3;
/** Latency bins per e-fold: 1,000 gives 0.1% wide bins, fine enough for the split, coarse enough to stay few. */
const BINS_PER_E = 1000;

export interface MethodOutcome {
  readonly method: InferenceMethod;
  /** Calls the method classified, warm-up included. */
  readonly classified: number;
  readonly inferredCold: number;
  /** Classified calls that also have ground truth, and how many of those the method got right. */
  readonly compared: number;
  readonly agree: number;
  /** agree / compared; null without ground truth. */
  readonly accuracy: number | null;
}

export interface LatencyOutcome extends MethodOutcome {
  /**
   * The boundary: calls above it count as cold, below it warm (the middle of the empty stretch
   * between the clusters); null when no split was accepted (all warm).
   */
  readonly thresholdMs: number | null;
  readonly split: 'gap' | 'otsu' | null;
  /** Geometric mean of the upper cluster over the lower one, of the best split tried. */
  readonly clusterRatio: number | null;
}

export interface FunctionInference {
  readonly fn: string;
  /** The method behind this function's inferred figures; null when no call was answered. */
  readonly chosen: InferenceMethod | null;
  readonly instanceId: MethodOutcome;
  readonly latency: LatencyOutcome;
  /** Measure-phase calls by the chosen method. */
  readonly measured: { readonly cold: number; readonly warm: number };
}

export interface InferredLatency {
  /** Latency (ms) of measure-phase ok calls the chosen method called cold and warm. */
  readonly cold: LatencyAccumulator;
  readonly warm: LatencyAccumulator;
}

/** The latency bin of a value in ms: 0.1% wide on log µs. */
const binOf = (latencyMs: number): number => Math.floor(Math.log(Math.max(1, Math.round(latencyMs * 1000))) * BINS_PER_E);

interface FirstCall {
  sentUs: number;
  seq: number;
  truth: boolean | null;
  measured: boolean;
  /** Latency in ms when the call was an ok measure-phase call. */
  okMeasuredMs: number | null;
}

/** Count slots per latency bin: truth (cold, warm, unknown) x phase (warm-up, measure). */
const slot = (truth: boolean | null, measured: boolean): number => (truth === true ? 0 : truth === false ? 2 : 4) + (measured ? 1 : 0);

/** What the inference reads of a call. */
export type InferenceInput = Pick<InvocationRecord, 'seq' | 'phase' | 'status' | 'latencyMs' | 'instanceId' | 'cold' | 'sentUs' | 'plannedUs'>;

export class ColdInference {
  readonly fn: string;
  readonly #first = new Map<string, FirstCall>();
  #idCalls = 0;
  #idMeasured = 0;
  #idTruthCold = 0;
  #idTruthWarm = 0;
  /** Measure-phase ok latencies, all and of calls with an instance id, for the split; null once there is ground truth. */
  #kept: { readonly all: LatencyAccumulator; readonly withId: LatencyAccumulator } | null = { all: new LatencyAccumulator(), withId: new LatencyAccumulator() };
  readonly #bins = new Map<number, Float64Array>();
  /** Calls that reached the function (ok or function error), for choosing the method. */
  #answered = 0;
  #answeredWithId = 0;

  constructor(fn: string) {
    this.fn = fn;
  }

  add(r: InferenceInput): void {
    const measured = r.phase === 'measure';
    const answered = r.status === 'ok' || r.status === 'function-error';
    if (answered) this.#answered += 1;
    const okMs = r.status === 'ok' && r.latencyMs !== null ? r.latencyMs : null;
    if (measured && r.cold !== null) this.#kept = null;
    if (okMs !== null && measured) this.#kept?.all.add(okMs);
    if (r.instanceId !== null) {
      if (answered) this.#answeredWithId += 1;
      this.#idCalls += 1;
      if (measured) this.#idMeasured += 1;
      if (r.cold === true) this.#idTruthCold += 1;
      if (r.cold === false) this.#idTruthWarm += 1;
      if (okMs !== null && measured) this.#kept?.withId.add(okMs);
      const sentUs = r.sentUs ?? r.plannedUs;
      const first = this.#first.get(r.instanceId);
      if (!first || sentUs < first.sentUs || (sentUs === first.sentUs && r.seq < first.seq)) {
        this.#first.set(r.instanceId, { sentUs, seq: r.seq, truth: r.cold, measured, okMeasuredMs: measured ? okMs : null });
      }
    }
    if (okMs !== null) {
      const bin = binOf(okMs);
      let counts = this.#bins.get(bin);
      if (!counts) this.#bins.set(bin, (counts = new Float64Array(6)));
      counts[slot(r.cold, measured)]! += 1;
    }
  }

  #instanceOutcome(): { outcome: MethodOutcome; measured: { cold: number; warm: number } } {
    let firstCold = 0;
    let firstWarm = 0;
    let firstMeasured = 0;
    for (const f of this.#first.values()) {
      if (f.truth === true) firstCold += 1;
      if (f.truth === false) firstWarm += 1;
      if (f.measured) firstMeasured += 1;
    }
    // The first call of each instance is inferred cold, every other call warm.
    const compared = this.#idTruthCold + this.#idTruthWarm;
    const agree = firstCold + (this.#idTruthWarm - firstWarm);
    return {
      outcome: { method: 'instance-id', classified: this.#idCalls, inferredCold: this.#first.size, compared, agree, accuracy: compared ? agree / compared : null },
      measured: { cold: firstMeasured, warm: this.#idMeasured - firstMeasured },
    };
  }

  /** The first cold bin's key (bins at or above it are cold), or null for all warm. */
  #split(): { coldFrom: number | null; thresholdMs: number | null; split: 'gap' | 'otsu' | null; clusterRatio: number | null } {
    const keys = [...this.#bins.keys()].sort((a, b) => a - b);
    const none = { coldFrom: null, thresholdMs: null, split: null, clusterRatio: null };
    if (keys.length < 2) return none;
    const weights = keys.map((k) => this.#bins.get(k)!.reduce((s, c) => s + c, 0));
    const x = keys.map((k) => (k + 0.5) / BINS_PER_E);
    // Prefix sums of weight, w*x and w*x^2: any split's cluster means and variances in O(1).
    const W = [0];
    const S = [0];
    const Q = [0];
    for (let i = 0; i < keys.length; i++) {
      W.push(W[i]! + weights[i]!);
      S.push(S[i]! + weights[i]! * x[i]!);
      Q.push(Q[i]! + weights[i]! * x[i]! * x[i]!);
    }
    const n = keys.length;
    const clusters = (k: number): { w0: number; w1: number; m0: number; m1: number; v0: number; v1: number } => {
      // Lower cluster: bins 0..k-1; upper: k..n-1.
      const w0 = W[k]!;
      const w1 = W[n]! - w0;
      const m0 = S[k]! / w0;
      const m1 = (S[n]! - S[k]!) / w1;
      return { w0, w1, m0, m1, v0: Math.max(0, Q[k]! / w0 - m0 * m0), v1: Math.max(0, (Q[n]! - Q[k]!) / w1 - m1 * m1) };
    };
    // The geometric middle of the empty stretch between the two clusters' nearest bins.
    const threshold = (k: number): number => Math.exp((keys[k - 1]! + 1 + keys[k]!) / 2 / BINS_PER_E) / 1000;
    let gapAt = 1;
    for (let k = 2; k < n; k++) if (keys[k]! - keys[k - 1]! > keys[gapAt]! - keys[gapAt - 1]!) gapAt = k;
    const gapRatio = Math.exp((keys[gapAt]! - keys[gapAt - 1]! - 1) / BINS_PER_E);
    const gap = clusters(gapAt);
    if (gapRatio >= MIN_GAP_RATIO && Math.exp(gap.m1 - gap.m0) >= MIN_CLUSTER_RATIO) {
      return { coldFrom: keys[gapAt]!, thresholdMs: threshold(gapAt), split: 'gap', clusterRatio: Math.exp(gap.m1 - gap.m0) };
    }
    let best = 1;
    let bestBetween = -1;
    for (let k = 1; k < n; k++) {
      const c = clusters(k);
      const between = c.w0 * c.w1 * (c.m1 - c.m0) ** 2;
      if (between > bestBetween) [best, bestBetween] = [k, between];
    }
    const c = clusters(best);
    const ratio = Math.exp(c.m1 - c.m0);
    const spread = Math.sqrt(c.v0 + c.v1);
    const separation = spread === 0 ? Infinity : (Math.SQRT2 * (c.m1 - c.m0)) / spread;
    if (ratio >= MIN_CLUSTER_RATIO && separation >= MIN_SEPARATION) return { coldFrom: keys[best]!, thresholdMs: threshold(best), split: 'otsu', clusterRatio: ratio };
    return { ...none, clusterRatio: Math.max(ratio, Math.exp(gap.m1 - gap.m0)) };
  }

  #latencyOutcome(): { outcome: LatencyOutcome; measured: { cold: number; warm: number }; coldFrom: number | null } {
    const { coldFrom, thresholdMs, split, clusterRatio } = this.#split();
    let classified = 0;
    let inferredCold = 0;
    let compared = 0;
    let agree = 0;
    const measured = { cold: 0, warm: 0 };
    for (const [bin, c] of this.#bins) {
      const cold = coldFrom !== null && bin >= coldFrom;
      const total = c.reduce((s, v) => s + v, 0);
      classified += total;
      if (cold) inferredCold += total;
      compared += c[0]! + c[1]! + c[2]! + c[3]!;
      agree += cold ? c[0]! + c[1]! : c[2]! + c[3]!;
      const inMeasure = c[1]! + c[3]! + c[5]!;
      if (cold) measured.cold += inMeasure;
      else measured.warm += inMeasure;
    }
    return {
      outcome: { method: 'latency', classified, inferredCold, compared, agree, accuracy: compared ? agree / compared : null, thresholdMs, split, clusterRatio },
      measured,
      coldFrom,
    };
  }

  result(): FunctionInference {
    const id = this.#instanceOutcome();
    const latency = this.#latencyOutcome();
    const chosen = this.#chosen();
    return {
      fn: this.fn,
      chosen,
      instanceId: id.outcome,
      latency: latency.outcome,
      measured: chosen === 'instance-id' ? id.measured : chosen === 'latency' ? latency.measured : { cold: 0, warm: 0 },
    };
  }

  #chosen(): InferenceMethod | null {
    if (this.#answered === 0) return null;
    return this.#answeredWithId * 2 >= this.#answered ? 'instance-id' : 'latency';
  }

  /**
   * Measure-phase ok latencies split by the chosen method, exact, for a function without ground
   * truth; null when a measured call carried the platform's cold flag (that flag decides then). By
   * instance id: each instance's first call is cold, the other calls with an id warm. By latency:
   * each call on its bin's side of the threshold.
   */
  inferredLatency(): InferredLatency | null {
    const kept = this.#kept;
    if (!kept) return null;
    const cold = new LatencyAccumulator();
    const warm = new LatencyAccumulator();
    const chosen = this.#chosen();
    if (chosen === 'instance-id') {
      for (const f of this.#first.values()) if (f.okMeasuredMs !== null) cold.add(f.okMeasuredMs);
      // Every id'd value but the first calls': a merge walk of the two ascending lists.
      const all = kept.withId.sorted();
      const firsts = cold.sorted();
      let j = 0;
      for (const v of all) {
        if (j < firsts.length && firsts[j] === v) j++;
        else warm.add(v);
      }
    } else if (chosen === 'latency') {
      const { coldFrom } = this.#latencyOutcome();
      for (const v of kept.all.sorted()) (coldFrom !== null && binOf(v) >= coldFrom ? cold : warm).add(v);
    }
    return { cold, warm };
  }
}

/** Accuracy over several functions: the sums of their counts, per method. */
export function combineOutcomes(method: InferenceMethod, outcomes: readonly MethodOutcome[]): MethodOutcome {
  const sum = (f: (o: MethodOutcome) => number): number => outcomes.reduce((s, o) => s + f(o), 0);
  const compared = sum((o) => o.compared);
  const agree = sum((o) => o.agree);
  return { method, classified: sum((o) => o.classified), inferredCold: sum((o) => o.inferredCold), compared, agree, accuracy: compared ? agree / compared : null };
}

/** Cold inference over a finite list of records, one result per function (tests, small runs). */
export function inferColdStarts(records: Iterable<InvocationRecord>): FunctionInference[] {
  const byFn = new Map<string, ColdInference>();
  for (const r of records) {
    let inference = byFn.get(r.fn);
    if (!inference) byFn.set(r.fn, (inference = new ColdInference(r.fn)));
    inference.add(r);
  }
  return [...byFn.values()].map((i) => i.result());
}
