import { describe, expect, it } from 'vitest';
import { targetOnThisHost, workerCount, type WorkerCountInput } from './worker-count.ts';

const base: WorkerCountInput = { requested: undefined, cores: 2, localTarget: false, closedLoop: false, spans: false, maxInFlight: 1000 };

describe('workerCount', () => {
  it('defaults to the host cores, less one for the local platform on this host, at least one', () => {
    expect(workerCount(base)).toEqual({ count: 2, why: '2 cores' });
    expect(workerCount({ ...base, cores: 8, localTarget: true })).toEqual({ count: 7, why: '8 cores, one left to the target on this host' });
    expect(workerCount({ ...base, cores: 1, localTarget: true })).toEqual({ count: 1, why: '1 core, one left to the target on this host' });
  });

  it('defaults to one for a sequential plan and for client spans, and to no more than the in-flight bound', () => {
    expect(workerCount({ ...base, closedLoop: true })).toEqual({ count: 1, why: 'a sequential plan waits for each answer' });
    expect(workerCount({ ...base, spans: true })).toEqual({ count: 1, why: 'client spans are sent from one thread' });
    expect(workerCount({ ...base, cores: 4, maxInFlight: 3 }).count).toBe(3);
  });

  it('takes a requested count as given, and refuses one the run cannot split to, naming --workers', () => {
    expect(workerCount({ ...base, requested: 3 })).toEqual({ count: 3, why: '--workers 3' });
    expect(workerCount({ ...base, requested: 1, closedLoop: true, spans: true })).toEqual({ count: 1, why: '--workers 1' });
    expect(() => workerCount({ ...base, requested: 2, closedLoop: true })).toThrow('--workers 2: a sequential plan cannot be split (each call waits for the previous one); give --workers 1');
    expect(() => workerCount({ ...base, requested: 2, spans: true })).toThrow('--workers 2: client spans (--otlp, --zipkin) are sent from one thread; give --workers 1');
    expect(() => workerCount({ ...base, requested: 4, maxInFlight: 3 })).toThrow('--workers 4: the workers share --max-in-flight 3, at least one call each; give --workers 1');
  });
});

describe('targetOnThisHost', () => {
  it('is the local provider started here (no url), or any provider whose address is loopback', () => {
    expect(targetOnThisHost('local', {})).toBe(true);
    expect(targetOnThisHost('local', { url: 'http://127.0.0.1:9000' })).toBe(true);
    expect(targetOnThisHost('local', { url: 'http://localhost:9000' })).toBe(true);
    expect(targetOnThisHost('local', { url: 'http://10.0.0.7:9000' })).toBe(false);
    expect(targetOnThisHost('http', {})).toBe(false);
    expect(targetOnThisHost('http', { url: 'http://127.0.0.2:8080/fn' })).toBe(true);
    expect(targetOnThisHost('http', { url: 'https://api.example.com/fn' })).toBe(false);
    expect(targetOnThisHost('grpc', { endpoint: '127.0.0.1:50051' })).toBe(true);
    expect(targetOnThisHost('grpc', { endpoint: '{fn}.default.192.168.1.240.sslip.io' })).toBe(false);
    expect(targetOnThisHost('knative', { ingress: 'http://[::1]:8080' })).toBe(true);
  });
});
