import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { describe, expect, it } from 'vitest';
import { functionSettingsSchema } from '../core/function-package.ts';
import { knativeHost, knativeService, settingsOf } from './knative-manifest.ts';

const settings = functionSettingsSchema.parse({ memoryMb: 512, timeoutS: 2.5, concurrency: 4, maxInstances: 20, environment: { MODE: 'fast' } });
const input = { name: 'aes-nodejs', namespace: 'bench', image: 'docker.io/vhiveease/aes-nodejs:latest', settings, minScale: 1, maxScale: 20, containerConcurrency: 4, port: 50051, protocol: 'http' as const };

describe('the Knative Service manifest', () => {
  it('is valid against Knative\'s schema and carries scale bounds, concurrency, memory, timeout and environment', () => {
    const service = knativeService(input);
    expect(() => new Service(service as never).validate()).not.toThrow();
    expect(service.apiVersion).toBe('serving.knative.dev/v1');
    expect(service.metadata).toMatchObject({ name: 'aes-nodejs', namespace: 'bench' });
    expect(service.spec.template.metadata.annotations).toEqual({ 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '20' });
    expect(service.spec.template.spec).toMatchObject({ containerConcurrency: 4, timeoutSeconds: 3 });
    expect(service.spec.template.spec.containers).toEqual([
      { image: input.image, env: [{ name: 'MODE', value: 'fast' }], ports: [{ containerPort: 50051 }], resources: { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } } },
    ]);
    expect(settingsOf(service)).toEqual(JSON.parse(JSON.stringify(settings)));
  });

  it('leaves max-scale and the port to Knative when not given, and unlimited concurrency is 0', () => {
    const service = knativeService({ ...input, maxScale: undefined, port: undefined, containerConcurrency: 0 });
    expect(() => new Service(service as never).validate()).not.toThrow();
    expect(service.spec.template.metadata.annotations).toEqual({ 'autoscaling.knative.dev/min-scale': '1' });
    expect(service.spec.template.spec.containerConcurrency).toBe(0);
    expect(service.spec.template.spec.containers[0]).not.toHaveProperty('ports');
  });

  it("names a gRPC function's port h2c, Knative's way to serve gRPC, on the given port or Knative's 8080, and stays valid", () => {
    const given = knativeService({ ...input, protocol: 'grpc' });
    expect(() => new Service(given as never).validate()).not.toThrow();
    expect(given.spec.template.spec.containers[0]!.ports).toEqual([{ name: 'h2c', containerPort: 50051 }]);
    const unset = knativeService({ ...input, protocol: 'grpc', port: undefined });
    expect(() => new Service(unset as never).validate()).not.toThrow();
    expect(unset.spec.template.spec.containers[0]!.ports).toEqual([{ name: 'h2c', containerPort: 8080 }]);
  });

  it('fails the schema when broken, so the checks above mean something', () => {
    const service = knativeService(input) as unknown as { spec: { template: { spec: { containerConcurrency: unknown } } } };
    service.spec.template.spec.containerConcurrency = 'four';
    expect(() => new Service(service as never).validate()).toThrow(/containerConcurrency/);
  });

  it('routes by <fn>.<namespace>.<domain>, as vSwarm\'s endpoints', () => {
    expect(knativeHost('aes-nodejs-0', 'default', '192.168.1.240.sslip.io')).toBe('aes-nodejs-0.default.192.168.1.240.sslip.io');
  });
});
