// The `stat` command: who and where this instance is, after faas_measure's stat_basic.
/* global fetch, AbortSignal -- Node 20 globals the shared lint config does not list */
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ID_FILE = 'faasbench-measure-id';
const PUB_IP_TIMEOUT_MS = 2000;

const readText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The id stored in the instance's temp dir, created on its first call. Linking a complete file
 * into place creates it only if absent, so concurrent first calls agree on one id.
 */
export function instanceIds() {
  const newId = randomUUID();
  const file = path.join(os.tmpdir(), ID_FILE);
  const draft = `${file}.${newId}`;
  writeFileSync(draft, newId);
  try {
    linkSync(draft, file);
    return { exist_id: newId, new_id: newId };
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    return { exist_id: readFileSync(file, 'utf8').trim(), new_id: newId };
  } finally {
    unlinkSync(draft);
  }
}

const lastSegment = (cgroupPath) => cgroupPath.split('/').filter(Boolean).pop() ?? null;

/**
 * inst_id: the last segment of the memory cgroup (v1), else of the unified "0::" cgroup; vm_id: the
 * kernel's boot id. Without such a cgroup (a VM per instance, as on Lambda) both are the boot id,
 * and the hostname stands in when the boot id is unreadable.
 */
export function cgroupIds() {
  const vmId = readText('/proc/sys/kernel/random/boot_id')?.trim() || os.hostname();
  const lines = (readText('/proc/self/cgroup') ?? '').split('\n').map((line) => line.split(':'));
  const memory = lines.find(([, controllers]) => controllers?.split(',').includes('memory'));
  const unified = lines.find(([id, controllers]) => id === '0' && controllers === '');
  const instId = (memory && lastSegment(memory.slice(2).join(':'))) || (unified && lastSegment(unified.slice(2).join(':'))) || vmId;
  return { vm_id: vmId, inst_id: instId };
}

/** The first non-loopback IPv4 address of an interface that is up, in interface order. */
export function firstPrivateIpv4() {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const found = (addresses ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return null;
}

export function uptime() {
  return (readText('/proc/uptime') ?? '').trim().split(/\s+/).join(',');
}

/** "count,model name" from /proc/cpuinfo; "unknown" where the kernel names no model (ARM). */
export function cpuInfo() {
  const text = readText('/proc/cpuinfo') ?? '';
  const count = text.split('\n').filter((line) => /^processor\s*:/.test(line)).length;
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  return `${count},${model}`;
}

async function publicIp(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PUB_IP_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return { vm_pub_ip: (await res.text()).trim() };
  } catch (err) {
    const reason = err.name === 'TimeoutError' ? `no answer within ${PUB_IP_TIMEOUT_MS} ms` : (err.cause?.message ?? err.message);
    return { vm_pub_ip: null, vm_pub_ip_error: `${url}: ${reason}` };
  }
}

export async function stat({ pubIpUrl }) {
  const privIp = firstPrivateIpv4();
  const pub = pubIpUrl ? await publicIp(pubIpUrl) : { vm_pub_ip: null };
  return {
    ...instanceIds(),
    ...cgroupIds(),
    vm_priv_ip: privIp,
    ...pub,
    inst_priv_ip: privIp,
    uptime: uptime(),
    cpu_info: cpuInfo(),
    // How Lambda started the instance: on-demand, or provisioned-concurrency ahead of its calls.
    init_type: process.env.AWS_LAMBDA_INITIALIZATION_TYPE ?? null,
  };
}
