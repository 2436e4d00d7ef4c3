/**
 * Acceptance for issue 12, the instance side: as root, a function is untrusted code. Each probe
 * below is a function trying one escape from inside its instance (read a neighbour, write code,
 * read the store, signal the platform, exhaust pids, /tmp or the log, outlive its instance, take
 * another instance's invocations), and each is followed by a control call that must still succeed.
 * Where the host (root) can see what the function must not, the test first shows it is there.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { LOG_LIMIT_CHARS } from '../../src/platform/bounded-log.ts';
import { PIDS_MAX } from '../../src/platform/cgroup.ts';
import { openStore } from '../../src/store/open.ts';
import { invokeHttp, nodeFunction, scratchDir, startPlatform } from '../support/platform.ts';
import { worldWritableDir } from './support/api-guard-support.ts';
import {
  cgroupMembers,
  hostProcessesWith,
  instanceHold,
  instanceTmpDir,
  leftoversWith,
  nextFromLocalProcess,
  rawNext,
  stagedFile,
  stillPresent,
  waitForEnv,
  waitForFile,
  waitForPidsNamed,
  type InstanceHold,
} from './support/probes.ts';

const MIB = 1024 * 1024;
/** How an HTTP client reports a connection closed on it before any answer. */
const CUT = ['ECONNRESET', 'EPIPE'];
const notRoot = process.getuid?.() !== 0;
const why = 'instances run as an unprivileged user in their own namespaces only when the platform runs as root';
if (notRoot) console.warn(`test/security/instance-isolation.test.ts skipped: ${why}`);

const unique = (label: string): string => `faasbench-${label}-${randomBytes(6).toString('hex')}`;

describe.skipIf(notRoot)(`a function cannot escape its instance${notRoot ? ` (skipped: ${why})` : ''}`, () => {
  let platform: LocalPlatform;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = scratchDir('platform');
    platform = await startPlatform({ dataDir });
    expect([platform.facts.isolation, platform.facts.launcher]).toEqual(['namespace', 'sandbox-exec']);
    platform.deployFolder(nodeFunction('control', "return 'still fine';", { cpuModel: 'none' }));
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** The platform still serves: a plain function answers over HTTP with its own body. */
  async function expectControlStillFine(): Promise<void> {
    const control = await invokeHttp(platform, 'control');
    expect([control.status, control.json()]).toEqual([200, 'still fine']);
  }

  it("cannot read another instance's environment or /tmp, and sees only its own processes", async () => {
    const envSecret = unique('env-secret');
    const fileSecret = unique('file-secret');
    const ownMark = unique('own-mark');
    platform.deployFolder(
      nodeFunction(
        'victim',
        `const fs = await import('node:fs');
         fs.writeFileSync('/tmp/secret.txt', event.fileSecret);
         await new Promise((r) => setTimeout(r, 2000));
         return 'done';`,
        { environment: { VICTIM_SECRET: envSecret }, cpuModel: 'none', timeoutS: 20 },
      ),
    );
    // Reads everything it can reach that could hold the victim's secrets, and says where it found them.
    platform.deployFolder(
      nodeFunction(
        'snoop',
        `const fs = await import('node:fs'); const path = await import('node:path');
         const found = []; const read = []; let ownMarkSeen = false;
         const look = (file) => { try { const text = fs.readFileSync(file, 'latin1'); read.push(file);
           if (text.includes(process.env.OWN_MARK)) ownMarkSeen = true;
           for (const s of event.secrets) if (text.includes(s)) found.push(file); } catch {} };
         const lookIn = (dir) => { let names = []; try { names = fs.readdirSync(dir); } catch { return; }
           for (const n of names.slice(0, 50)) look(path.join(dir, n)); };
         const pids = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p));
         for (const pid of pids) { look('/proc/' + pid + '/environ'); lookIn('/proc/' + pid + '/root/tmp'); }
         look('/proc/' + event.victimPid + '/environ'); lookIn('/proc/' + event.victimPid + '/root/tmp');
         lookIn(event.victimTmp); lookIn('/tmp');
         return { found, pids, ownMarkSeen, readCount: read.length };`,
        { environment: { OWN_MARK: ownMark }, cpuModel: 'none', timeoutS: 20 },
      ),
    );

    const victimCall = platform.invokeJson('victim', { fileSecret });
    // Root on the host sees both secrets: the probe below is looking for something that is there.
    const victimPid = await waitForEnv(envSecret, 15_000);
    await waitForFile(`/proc/${victimPid}/root/tmp/secret.txt`, fileSecret, 15_000);
    const [victim] = platform.instances('victim');
    const victimTmp = instanceTmpDir(victim?.id ?? 'none');

    const snoop = await platform.invokeJson('snoop', { secrets: [envSecret, fileSecret], victimPid, victimTmp });
    const seen = snoop.body as { found: string[]; pids: string[]; ownMarkSeen: boolean; readCount: number };
    expect(snoop.outcome.kind).toBe('success');
    expect(seen.found).toEqual([]);
    // Its scan worked: it read its own environment through /proc.
    expect(seen.ownMarkSeen).toBe(true);
    // Its own init and runtime, and nothing of the host's hundreds of processes.
    expect(seen.pids.length).toBeGreaterThanOrEqual(2);
    expect(seen.pids.length).toBeLessThanOrEqual(5);
    const victimResult = await victimCall;
    expect([victimResult.outcome.kind, victimResult.body]).toEqual(['success', 'done']);
    await expectControlStillFine();
  });

  it("cannot write its own code nor another function's, nor remount its code read-write", async () => {
    platform.deployFolder(nodeFunction('bystander', "return 'bystander';", { cpuModel: 'none' }));
    platform.deployFolder(
      nodeFunction(
        'code-writer',
        `const fs = await import('node:fs'); const path = await import('node:path'); const { spawnSync } = await import('node:child_process');
         const root = process.env.LAMBDA_TASK_ROOT; const own = path.join(root, 'index.mjs');
         const attempt = (file) => { try { fs.appendFileSync(file, '// overwritten\\n'); return 'written'; } catch (e) { return e.code; } };
         // The code's file mode alone refuses nobody (EACCES comes before EROFS): the mount must be read-only too.
         const mountOptions = () => { const lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\\n').map((l) => l.split(' ')).filter((f) => f[4] === root);
           return lines.length === 0 ? null : lines[lines.length - 1][5].split(','); };
         const codeMount = mountOptions();
         const ownBefore = attempt(own); const other = attempt(event.other);
         const mount8 = spawnSync('mount', ['-o', 'remount,bind,rw', root], { encoding: 'utf8' });
         // mount(2) itself, past mount(8)'s own checks: MS_REMOUNT | MS_BIND without MS_RDONLY.
         const nr = process.arch === 'arm64' ? 40 : 165;
         const raw = spawnSync('perl', ['-e', 'print syscall(' + nr + ', 0, $ARGV[0], 0, 4096 | 32, 0) == -1 ? $! + 0 : 0', root], { encoding: 'utf8' });
         // As root of a user namespace of its own, where the read-only flag must stay locked.
         const userns = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -o remount,bind,rw "$0" && echo x >> "$0/index.mjs"', root], { encoding: 'utf8' });
         return { codeMount, codeMountAfter: mountOptions(), ownBefore, other, mount8: mount8.status, rawErrno: raw.stdout, rawError: raw.error?.code ?? null, userns: userns.status, ownAfter: attempt(own) };`,
        { cpuModel: 'none', timeoutS: 20 },
      ),
    );
    const ownFile = stagedFile(dataDir, 'code-writer', 'index.mjs');
    const otherFile = stagedFile(dataDir, 'bystander', 'index.mjs');
    const ownBefore = readFileSync(ownFile, 'utf8');
    const otherBefore = readFileSync(otherFile, 'utf8');

    const r = await platform.invokeJson('code-writer', { other: otherFile });
    expect(r.outcome.kind).toBe('success');
    const tried = r.body as { codeMount: string[] | null; codeMountAfter: string[] | null; ownBefore: string; other: string; mount8: number | null; rawErrno: string; rawError: string | null; userns: number | null; ownAfter: string };
    expect(tried.codeMount).toContain('ro');
    expect(['EROFS', 'EACCES']).toContain(tried.ownBefore);
    // Another function's code is hidden (ENOENT) or, where its folder is visible, not writable.
    expect(['ENOENT', 'EACCES', 'EROFS']).toContain(tried.other);
    expect(tried.mount8).not.toBe(0);
    expect([tried.rawError, tried.rawErrno]).toEqual([null, '1']); // EPERM
    expect(tried.userns).not.toBe(0);
    expect(['EROFS', 'EACCES']).toContain(tried.ownAfter);
    expect(tried.codeMountAfter).toEqual(tried.codeMount);
    expect(readFileSync(ownFile, 'utf8')).toBe(ownBefore);
    expect(readFileSync(otherFile, 'utf8')).toBe(otherBefore);
    const bystander = await invokeHttp(platform, 'bystander');
    expect([bystander.status, bystander.json()]).toEqual([200, 'bystander']);
    await expectControlStillFine();
  });

  it('cannot read the store, which only its file mode protects', async () => {
    // A folder anyone may pass through, so the file's own mode is all that stands in the way.
    const dir = mkdtempSync('/var/tmp/faasbench-store-');
    chmodSync(dir, 0o755);
    const file = path.join(dir, 'faasbench.db');
    const store = await openStore(file);
    try {
      platform.deployFolder(
        nodeFunction(
          'store-reader',
          `const fs = await import('node:fs'); const out = {};
           for (const f of event.files) { try { out[f] = 'read ' + fs.readFileSync(f).length + ' bytes'; } catch (e) { out[f] = e.code; } }
           return out;`,
          { cpuModel: 'none' },
        ),
      );
      // While the store is open, with its WAL files beside it.
      const files = [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));
      expect(files).toContain(file);
      const r = await platform.invokeJson('store-reader', { files });
      expect(r.body).toEqual(Object.fromEntries(files.map((f) => [f, 'EACCES'])));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await expectControlStillFine();
  });

  it('cannot signal the platform or its parent', async () => {
    platform.deployFolder(
      nodeFunction(
        'signaller',
        `const out = {};
         for (const pid of event.pids) { try { process.kill(pid, 'SIGKILL'); out[pid] = 'sent'; } catch (e) { out[pid] = e.code; } }
         return out;`,
        { cpuModel: 'none' },
      ),
    );
    const r = await platform.invokeJson('signaller', { pids: [process.pid, process.ppid] });
    // Not visible from its PID namespace at all.
    expect(r.body).toEqual({ [process.pid]: 'ESRCH', [process.ppid]: 'ESRCH' });
    await expectControlStillFine();
  });

  it(`cannot start more than the pids limit (${PIDS_MAX})`, { timeout: 120_000 }, async () => {
    platform.deployFolder(
      nodeFunction(
        'forker',
        // Forked by perl, each child sleeping in its fork: starting a program (Node's spawn of
        // sleep, or exec) is what took 10 s for 1,000 children here, and a fork holds a pid just the
        // same. Same limit, same errno; the runtime's own threads count against it as before.
        `const { spawnSync } = await import('node:child_process'); const os = await import('node:os');
         const forker = 'my @kids; my $err = 0; for (1 .. 1500) { my $p = fork(); if (!defined $p) { $err = $! + 0; last } '
           + 'if ($p == 0) { sleep 30; exit 0 } push @kids, $p } kill "KILL", @kids; waitpid($_, 0) for @kids; print scalar(@kids), " ", $err';
         const out = spawnSync('perl', ['-e', forker], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
         const [started, errno] = out.stdout.trim().split(' ').map(Number);
         const failure = errno === 0 ? null : (Object.keys(os.constants.errno).find((k) => os.constants.errno[k] === errno) ?? String(errno));
         return { started, failure, perlError: out.error?.code ?? null, stderr: out.stderr };`,
        // Each child costs memory too: enough that the pids limit, not memory, is what stops it.
        { memoryMb: 2048, timeoutS: 90, cpuModel: 'none' },
      ),
    );
    const r = await platform.invokeJson('forker');
    expect(r.outcome.kind).toBe('success');
    const { started, failure, perlError, stderr } = r.body as { started: number; failure: string | null; perlError: string | null; stderr: string };
    expect([perlError, stderr]).toEqual([null, '']);
    expect(failure).toBe('EAGAIN');
    expect(started).toBeLessThan(PIDS_MAX);
    // Stopped by the limit (less the runtime's own threads), not by something far below it.
    expect(started).toBeGreaterThan(PIDS_MAX - 100);
    await expectControlStillFine();
  });

  it('cannot write more than ephemeralStorageMb to /tmp', { timeout: 90_000 }, async () => {
    platform.deployFolder(
      nodeFunction(
        'filler',
        `const fs = await import('node:fs');
         const chunk = Buffer.alloc(1024 * 1024, 120); const fd = fs.openSync('/tmp/fill', 'w');
         let written = 0; let failure = null;
         try { for (let i = 0; i < 600; i++) written += fs.writeSync(fd, chunk); } catch (e) { failure = e.code; }
         fs.closeSync(fd); fs.rmSync('/tmp/fill');
         return { written, failure };`,
        // tmpfs pages count against the instance's memory: room for all 600 MB, so /tmp's size is the limit.
        { ephemeralStorageMb: 512, memoryMb: 2048, timeoutS: 60, cpuModel: 'none' },
      ),
    );
    const r = await platform.invokeJson('filler');
    expect(r.outcome.kind).toBe('success');
    const { written, failure } = r.body as { written: number; failure: string | null };
    expect(failure).toBe('ENOSPC');
    expect(written).toBeLessThanOrEqual(512 * MIB);
    expect(written).toBeGreaterThan(400 * MIB);
    await expectControlStillFine();
  });

  it('600 MB to stdout leaves the platform up, the tail kept and the cut said', { timeout: 180_000 }, async () => {
    const last = unique('last-line');
    platform.deployFolder(
      nodeFunction(
        'shouter',
        // stdout is a socket, where Node writes asynchronously: waiting for each write to drain
        // puts all 600 MB through the platform during the call, not in the frozen time after it.
        `const mib = ('x'.repeat(1023) + '\\n').repeat(1024);
         for (let i = 0; i < 600; i++) if (!process.stdout.write(mib)) await new Promise((r) => process.stdout.once('drain', r));
         await new Promise((r) => process.stdout.write(event.last + '\\n', r));
         return 'shouted';`,
        { memoryMb: 1024, timeoutS: 120, cpuModel: 'none' },
      ),
    );
    const r = await platform.invokeJson('shouter', { last });
    expect([r.outcome.kind, r.body]).toEqual(['success', 'shouted']);
    // Asserted on extracts: a failing toContain would print all 256 KB of the log.
    const cut = /^\[faasbench: (\d+) characters of output cut; the last \d+ follow\]$/m.exec(r.log)?.[1];
    expect(cut, `the cut note in the first 300 characters: ${JSON.stringify(r.log.slice(0, 300))}`).toBeDefined();
    // All 600 MB went through the platform, less the tail it kept.
    expect(Number(cut)).toBeGreaterThanOrEqual(600 * MIB - LOG_LIMIT_CHARS);
    expect(r.log.includes(`${last}\n`), `the final line in the last 300 characters: ${JSON.stringify(r.log.slice(-300))}`).toBe(true);
    expect(r.log.length).toBeLessThan(1_000_000);
    await expectControlStillFine();
  });

  describe('no process of an instance outlives it, setsid and double-forked ones included', () => {
    // Starts a setsid `sleep 1000` and a double-forked `sleep 1001`, both with `event.marker` as argv[0],
    // waits until it sees both (and, given `event.gate`, until that file exists), then returns, exits
    // (crash), allocates past its memory (OOM) or outlasts its timeout (hang).
    const ESCAPER = `
      const { spawn } = await import('node:child_process'); const fs = await import('node:fs');
      spawn('sleep', ['1000'], { argv0: event.marker, detached: true, stdio: 'ignore' }).unref();
      const inner = "require('node:child_process').spawn('sleep', ['1001'], { argv0: " + JSON.stringify(event.marker) + ", stdio: 'ignore' }).unref()";
      await new Promise((r) => spawn(process.execPath, ['-e', inner], { stdio: 'ignore' }).once('exit', r));
      const seen = () => fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).filter((p) => {
        try { return fs.readFileSync('/proc/' + p + '/cmdline', 'latin1').startsWith(event.marker); } catch { return false; } }).length;
      for (let i = 0; i < 200 && seen() < 2; i++) await new Promise((r) => setTimeout(r, 20));
      console.log('escapers seen: ' + seen());
      while (event.gate && !fs.existsSync(event.gate)) await new Promise((r) => setTimeout(r, 20));
      if (event.then === 'exit') process.exit(3);
      if (event.then === 'oom') { const b = Buffer.alloc(400 * 1024 * 1024); b.fill(1); }
      if (event.then === 'hang') await new Promise((r) => setTimeout(r, 600_000));
      return seen();`;

    // The gate holds a crashing call until the host has looked at its instance: once the call
    // ends, the instance is gone, and its absence would prove nothing without its presence first.
    let gates: string;
    beforeAll(() => {
      gates = worldWritableDir('escape-gates');
    });
    afterAll(() => {
      if (gates) rmSync(gates, { recursive: true, force: true });
    });

    /**
     * The host's view of the instance both escapers run in: its temp folder and pid marker exist,
     * and it has a group in every hierarchy the platform uses, holding both escapers (which is why
     * killing the groups' members reaches them even without the namespace).
     */
    function expectHeldWithEscapers(instanceId: string, escapers: readonly number[]): InstanceHold {
      expect(escapers).toHaveLength(2);
      const hold = instanceHold(instanceId);
      expect(hold.platformCgroups.length).toBeGreaterThan(0);
      expect([existsSync(hold.tmpDir), existsSync(hold.marker)]).toEqual([true, true]);
      for (const group of hold.cgroups) expect([group, cgroupMembers(group)]).toEqual([group, expect.arrayContaining([...escapers])]);
      return hold;
    }

    /** Within 5 s of the instance's end: removal retries for 1 s while killed processes leave their groups. */
    async function expectReleased(hold: InstanceHold): Promise<void> {
      expect(await stillPresent([...hold.cgroups, hold.tmpDir, hold.marker], 5_000)).toEqual([]);
    }

    it('after eviction (keep-alive over)', { timeout: 60_000 }, async () => {
      const marker = unique('marker-evict');
      platform.deployFolder(nodeFunction('escaper-idle', ESCAPER, { keepAliveS: 1, cpuModel: 'none', timeoutS: 20 }));
      const r = await platform.invokeJson('escaper-idle', { marker });
      expect([r.outcome.kind, r.body]).toEqual(['success', 2]);
      // They run, visible to the host, while their instance is warm.
      expect(hostProcessesWith(marker)).toHaveLength(2);
      const hold = expectHeldWithEscapers(r.instanceId, await waitForPidsNamed(marker, 2, 1_000));
      // Keep-alive 1 s: evicted within a few seconds even on a busy machine.
      expect(await leftoversWith(marker, 10_000)).toEqual([]);
      await expectReleased(hold);
      await expectControlStillFine();
    });

    it('after a crash (process.exit)', { timeout: 60_000 }, async () => {
      const marker = unique('marker-crash');
      const gate = path.join(gates, 'crash');
      platform.deployFolder(nodeFunction('escaper-crash', ESCAPER, { cpuModel: 'none', timeoutS: 20 }));
      const call = platform.invokeJson('escaper-crash', { marker, then: 'exit', gate });
      const escapers = await waitForPidsNamed(marker, 2, 15_000);
      const [instance] = platform.instances('escaper-crash');
      const hold = expectHeldWithEscapers(instance?.id ?? 'none', escapers);
      writeFileSync(gate, '');
      const r = await call;
      expect(r.outcome.kind === 'function-error' && r.outcome.errorType).toBe('Runtime.ExitError');
      expect(r.instanceId).toBe(instance?.id);
      expect(r.log).toContain('escapers seen: 2');
      expect(await leftoversWith(marker, 5_000)).toEqual([]);
      await expectReleased(hold);
      await expectControlStillFine();
    });

    it('after an OOM kill', { timeout: 60_000 }, async () => {
      const marker = unique('marker-oom');
      const gate = path.join(gates, 'oom');
      platform.deployFolder(nodeFunction('escaper-oom', ESCAPER, { memoryMb: 128, cpuModel: 'none', timeoutS: 20 }));
      const call = platform.invokeJson('escaper-oom', { marker, then: 'oom', gate });
      const escapers = await waitForPidsNamed(marker, 2, 15_000);
      const [instance] = platform.instances('escaper-oom');
      const hold = expectHeldWithEscapers(instance?.id ?? 'none', escapers);
      writeFileSync(gate, '');
      const r = await call;
      expect(r.outcome.kind === 'function-error' && r.outcome.errorType).toBe('Runtime.OutOfMemory');
      expect(r.instanceId).toBe(instance?.id);
      expect(r.log).toContain('escapers seen: 2');
      expect(await leftoversWith(marker, 5_000)).toEqual([]);
      await expectReleased(hold);
      await expectControlStillFine();
    });

    it('after a timeout', { timeout: 60_000 }, async () => {
      const marker = unique('marker-timeout');
      // The host looks at the instance before the timeout ends it: the escapers start in well under
      // a second, so 8 s leaves a wide margin on a busy machine.
      platform.deployFolder(nodeFunction('escaper-timeout', ESCAPER, { timeoutS: 8, cpuModel: 'none' }));
      const call = platform.invokeJson('escaper-timeout', { marker, then: 'hang' });
      const escapers = await waitForPidsNamed(marker, 2, 6_000);
      const [instance] = platform.instances('escaper-timeout');
      const hold = expectHeldWithEscapers(instance?.id ?? 'none', escapers);
      const r = await call;
      expect(r.outcome.kind === 'function-error' && r.outcome.errorType).toBe('Sandbox.Timedout');
      expect(r.instanceId).toBe(instance?.id);
      expect(r.log).toContain('escapers seen: 2');
      expect(await leftoversWith(marker, 5_000)).toEqual([]);
      await expectReleased(hold);
      // A timeout ends the instance (Lambda resets the environment): none is left for the function.
      expect(platform.instances('escaper-timeout')).toEqual([]);
      await expectControlStillFine();
    });

    it('after platform.stop(), which also removes its own groups and temp root', { timeout: 60_000 }, async () => {
      const marker = unique('marker-stop');
      // A platform of its own: stopping the shared one would end the other probes.
      const own = await startPlatform();
      let stopped = false;
      try {
        own.deployFolder(nodeFunction('escaper-stop', ESCAPER, { cpuModel: 'none', timeoutS: 20 }));
        const r = await own.invokeJson('escaper-stop', { marker });
        expect([r.outcome.kind, r.body]).toEqual(['success', 2]);
        const hold = expectHeldWithEscapers(r.instanceId, await waitForPidsNamed(marker, 2, 1_000));
        const tmpRoot = path.dirname(hold.tmpDir);
        stopped = true;
        await own.stop();
        expect(await leftoversWith(marker, 5_000)).toEqual([]);
        // stop() resolves once everything it made on the host is gone: no waiting here.
        expect([...hold.cgroups, ...hold.platformCgroups, hold.tmpDir, hold.marker, tmpRoot].filter((p) => existsSync(p))).toEqual([]);
      } finally {
        if (!stopped) await own.stop();
      }
      await expectControlStillFine();
    });
  });

  it("refuses /next on an instance's Runtime API from another instance and from a local process", { timeout: 60_000 }, async () => {
    platform.deployFolder(nodeFunction('rt-a', 'return { api: process.env.AWS_LAMBDA_RUNTIME_API, n: event.n };', { cpuModel: 'none' }));
    platform.deployFolder(
      nodeFunction(
        'rt-b',
        `const http = await import('node:http');
         return await new Promise((resolve) => {
           const req = http.get('http://' + event.api + '/2018-06-01/runtime/invocation/next', (res) => {
             let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve({ status: res.statusCode, body })); });
           req.setTimeout(3000, () => req.destroy(new Error('timeout')));
           req.on('error', (e) => resolve({ error: e.code ?? e.message }));
         });`,
        { cpuModel: 'none', timeoutS: 20 },
      ),
    );
    const first = await platform.invokeJson('rt-a', { n: 1 });
    const { api } = first.body as { api: string; n: number };
    // Lambda's documented form: host:port, no path.
    expect(api).toMatch(/^127\.0\.0\.1:\d+$/);

    // From this process (the platform's own, not one of the instance's): cut before any answer.
    expect(await rawNext(api, 5_000)).toEqual({ received: '', ended: 'closed' });
    // From a separate local process: its HTTP client sees the connection cut (EPIPE when the cut
    // comes before it finished writing), never a status.
    expect(CUT).toContain((await nextFromLocalProcess(api, 5_000)).error);
    // From another instance: a connection error, not A's next event.
    const b = await platform.invokeJson('rt-b', { api });
    expect(Object.keys(b.body as object)).toEqual(['error']);
    expect(CUT).toContain((b.body as { error: string }).error);

    // A is undisturbed: the same warm instance answers its next call.
    const second = await platform.invokeJson('rt-a', { n: 2 });
    expect(second.body).toEqual({ api, n: 2 });
    expect(second.instanceId).toBe(first.instanceId);
    await expectControlStillFine();
  });
});
