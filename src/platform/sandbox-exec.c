/*
 * sandbox-exec --wait [CGROUP_PROCS_FILE...]
 *
 * Starts one function instance as untrusted code. Forked ahead of need (see prewarmed-launchers.ts),
 * so the cost of forking the platform's large process and of joining cgroups (a write to a v1
 * cgroup.procs waits for an RCU grace period, 10-15 ms) is paid before a cold start, not during it.
 *
 * At start it moves itself into the given cgroups: every process of the instance is forked from it
 * afterwards, so all of them are counted and limited from birth (memory, CPU, pids). Then it reads
 * its instance from stdin until EOF, NUL-separated:
 *
 *   isolation ("namespace" or "none"), uid, gid (empty: keep), /tmp size in MiB, working
 *   directory, exposure count, then per exposure "ro" or "rw", the host path and the path inside
 *   the instance (the same, or e.g. /var/task for the code), argument count, the arguments (the
 *   first is the command), then the environment, one NAME=value each.
 *
 * With "namespace", three processes make the instance:
 *   launcher  (this process, in the host's PID namespace) new mount and IPC namespaces, the mounts
 *             below, then forks into a new PID namespace and waits; it exits as the runtime did.
 *   init      (PID 1 of the instance) mounts the instance's own /proc, forks the runtime, reaps
 *             orphans, and exits when the runtime exits: the kernel then kills every other process
 *             of the namespace, setsid and double-forked ones included. An instance dies whole.
 *   runtime   without capabilities (bounding set emptied), with no_new_privs, as uid:gid, exec'd.
 * Mounts: a private size-limited tmpfs on /tmp; each exposed path (the code, the runtime's files,
 * the interpreter, the storage root) bound at its target (the code at /var/task, the runtime at
 * /var/runtime, the others at their own path), read-only where asked (not remountable without
 * CAP_SYS_ADMIN); where the unprivileged user could not reach the target (a parent like /root is
 * 0700), over a tmpfs on that parent, which hides everything else in it. A target other than the
 * host path must exist (the platform makes /var/task and /var/runtime once) unless it is behind
 * such a tmpfs, where it is made.
 *
 * The launcher dies with the platform (SIGKILL on its death, kept across exec); init dies with the
 * launcher, the runtime with init. A platform that dies between the fork and the prctl leaves the
 * launcher behind; the next platform's start reaps it (leftovers.ts).
 *
 * Exit code 98 means the sandbox could not be set up; 2 a bad request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_EXPOSED 16

extern char **environ;

struct exposure {
  /* The host's path, and where the instance sees it. */
  const char *source, *target;
  int readonly;
  int fd;
  /* The first parent of the target the unprivileged user cannot pass (its own tmpfs hides the rest), or NULL. */
  char *blocker;
};

struct request {
  int isolate;
  const char *uid, *gid, *tmp_mb, *cwd;
  int exposed_count;
  struct exposure exposed[MAX_EXPOSED];
  char **argv;
  char **envp;
};

static int fail(const char *what, const char *path) {
  fprintf(stderr, "sandbox-exec: %s %s: %s\n", what, path, strerror(errno));
  return 98;
}

/* All of stdin, NUL-terminated fields split into *fields; returns the field count or -1. */
static int read_fields(char ***fields) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (buf == NULL) return -1;
    ssize_t n = read(0, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    len += (size_t)n;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  if (len == 0 || buf[len - 1] != '\0') return -1;
  int count = 0;
  for (size_t i = 0; i < len; i++) count += buf[i] == '\0';
  *fields = calloc((size_t)count + 1, sizeof(char *));
  if (*fields == NULL) return -1;
  for (int f = 0, start = 0; f < count; f++) {
    (*fields)[f] = buf + start;
    start += (int)strlen(buf + start) + 1;
  }
  return count;
}

static int parse_request(struct request *r) {
  char **f;
  int count = read_fields(&f);
  /* EOF with nothing: the platform went away before it needed this launcher. */
  if (count <= 0) return -1;
  int i = 6;
  if (count < i) return -1;
  r->isolate = strcmp(f[0], "namespace") == 0;
  r->uid = f[1], r->gid = f[2], r->tmp_mb = f[3], r->cwd = f[4];
  r->exposed_count = atoi(f[5]);
  if (r->exposed_count < 0 || r->exposed_count > MAX_EXPOSED || i + 3 * r->exposed_count + 1 > count) return -1;
  for (int e = 0; e < r->exposed_count; e++, i += 3) {
    r->exposed[e] = (struct exposure){ .source = f[i + 1], .target = f[i + 2], .readonly = strcmp(f[i], "ro") == 0, .fd = -1, .blocker = NULL };
    if (f[i + 2][0] != '/') return -1;
  }
  int argc = atoi(f[i++]);
  if (argc < 1 || i + argc > count) return -1;
  r->argv = calloc((size_t)argc + 1, sizeof(char *));
  if (r->argv == NULL) return -1;
  memcpy(r->argv, f + i, (size_t)argc * sizeof(char *));
  /* The rest are the environment, ended by the NULL read_fields put after the last field. */
  r->envp = f + i + argc;
  return 0;
}

static int join_cgroups(int count, char **files) {
  char pid[32];
  int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  for (int i = 0; i < count; i++) {
    int fd = open(files[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, (size_t)len) != len) return fail("join cgroup", files[i]);
    close(fd);
  }
  return 0;
}

/* The shallowest parent of `path` that others cannot search (mode lacks o+x), or NULL. */
static char *find_blocker(const char *path) {
  char *copy = strdup(path);
  if (copy == NULL) return NULL;
  for (char *slash = strchr(copy + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    struct stat st;
    if (stat(copy, &st) == 0 && (st.st_mode & S_IXOTH) == 0) return copy;
    *slash = '/';
  }
  free(copy);
  return NULL;
}

static int under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int mkdir_p(const char *path) {
  char *copy = strdup(path);
  if (copy == NULL) return -1;
  for (char *slash = strchr(copy + 1, '/');; slash = strchr(slash + 1, '/')) {
    if (slash != NULL) *slash = '\0';
    if (mkdir(copy, 0755) != 0 && errno != EEXIST) return free(copy), -1;
    if (slash == NULL) break;
    *slash = '/';
  }
  free(copy);
  return 0;
}

static int bind(const char *from, const char *to, int readonly) {
  if (mount(from, to, NULL, MS_BIND | MS_REC, NULL) != 0) return fail("bind", to);
  /* A bind mount takes read-only only on a remount, as mount(8) does for `--bind -o ro`. */
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (readonly ? MS_RDONLY : 0);
  if (mount(NULL, to, NULL, flags, NULL) != 0) return fail("remount", to);
  return 0;
}

/*
 * Each exposure bound elsewhere, or at a target the instance user could not reach (then over a
 * tmpfs on its blocker), goes through a descriptor; the others are bound over themselves.
 */
static int expose(struct request *r) {
  for (int e = 0; e < r->exposed_count; e++) {
    struct exposure *x = &r->exposed[e];
    x->blocker = find_blocker(x->target);
    /* Opened before any tmpfs covers it: the bind goes through the descriptor. */
    int moved = x->blocker != NULL || strcmp(x->source, x->target) != 0;
    if (moved && (x->fd = open(x->source, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) return fail("open", x->source);
  }
  for (int e = 0; e < r->exposed_count; e++) {
    const char *b = r->exposed[e].blocker;
    int covered = 0;
    for (int o = 0; o < r->exposed_count && b != NULL; o++) {
      const char *other = r->exposed[o].blocker;
      if (o == e || other == NULL) continue;
      /* One tmpfs per blocker, on the shallowest: a deeper one would be hidden by it. */
      covered |= strcmp(b, other) == 0 ? o < e : under(b, other);
    }
    if (b == NULL || covered) continue;
    if (mount("tmpfs", b, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=0755") != 0) return fail("cover", b);
  }
  for (int e = 0; e < r->exposed_count; e++) {
    struct exposure *x = &r->exposed[e];
    if (x->fd < 0) {
      if (x->readonly && bind(x->target, x->target, 1) != 0) return 98;
      continue;
    }
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", x->fd);
    if (x->blocker != NULL && mkdir_p(x->target) != 0) return fail("mkdir", x->target);
    if (bind(source, x->target, x->readonly) != 0) return 98;
    close(x->fd);
  }
  return 0;
}

static int mount_namespace(struct request *r) {
  if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) != 0) return fail("unshare", "(mount, pid and ipc namespaces)");
  /* Mounts made here must not propagate back to the host's namespace. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return fail("make private", "/");
  int rc = expose(r);
  if (rc != 0) return rc;
  char options[64];
  snprintf(options, sizeof options, "size=%sm,mode=1777", r->tmp_mb);
  if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) return fail("mount tmpfs on", "/tmp");
  return 0;
}

/* Empties the bounding set, then becomes uid:gid, which clears every other capability set. */
static int drop_privileges(const char *uid, const char *gid) {
  if (*uid == '\0') return 0;
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return fail("drop capability", "bounding set");
  }
  gid_t g = (gid_t)atol(gid);
  uid_t u = (uid_t)atol(uid);
  if (setgroups(0, NULL) != 0) return fail("setgroups", "[]");
  if (setresgid(g, g, g) != 0) return fail("setresgid", gid);
  if (setresuid(u, u, u) != 0) return fail("setresuid", uid);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  return 0;
}

static int exec_runtime(struct request *r) {
  int rc = drop_privileges(r->uid, r->gid);
  if (rc != 0) return rc;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail("prctl", "PR_SET_NO_NEW_PRIVS");
  /* Changing credentials cleared the parent-death signal: set it again. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* After the mounts: a directory entered before them would be the writable one underneath. */
  if (chdir(r->cwd) != 0) return fail("chdir", r->cwd);
  environ = r->envp;
  execvp(r->argv[0], r->argv);
  return fail("exec", r->argv[0]);
}

/* The instance's PID 1: its own /proc, the runtime as its child, orphans reaped until it exits. */
static int run_init(struct request *r, int status_out) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) return fail("mount", "/proc");
  pid_t runtime = fork();
  if (runtime < 0) return fail("fork", "runtime");
  if (runtime == 0) {
    close(status_out);
    _exit(exec_runtime(r));
  }
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid == runtime || pid < 0) {
      if (pid == runtime && write(status_out, &status, sizeof status) != sizeof status) return 98;
      return 0;
    }
  }
}

/* Leaves as the runtime left: the same exit code, or killed by the same signal. */
static int mirror(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int sig = WTERMSIG(status);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  return 128 + sig;
}

static int run_isolated(struct request *r) {
  int rc = mount_namespace(r);
  if (rc != 0) return rc;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return fail("pipe", "(status)");
  pid_t init = fork();
  if (init < 0) return fail("fork", "init");
  if (init == 0) {
    close(pipefd[0]);
    _exit(run_init(r, pipefd[1]));
  }
  close(pipefd[1]);
  int status, runtime_status;
  while (waitpid(init, &status, 0) < 0 && errno == EINTR) {}
  /* Init reports the runtime's status; without a report (init itself failed), init's own. */
  if (read(pipefd[0], &runtime_status, sizeof runtime_status) == sizeof runtime_status) status = runtime_status;
  return mirror(status);
}

int main(int argc, char **argv) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return fail("prctl", "PR_SET_PDEATHSIG");
  if (argc < 2 || strcmp(argv[1], "--wait") != 0) {
    fprintf(stderr, "usage: sandbox-exec --wait [CGROUP_PROCS_FILE...] < request\n");
    return 2;
  }
  int rc = join_cgroups(argc - 2, argv + 2);
  if (rc != 0) return rc;
  struct request r;
  if (parse_request(&r) != 0) {
    fprintf(stderr, "sandbox-exec: malformed request on stdin\n");
    return 2;
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0) return fail("open", "/dev/null");
  close(devnull);
  if (r.isolate) return run_isolated(&r);
  rc = drop_privileges(r.uid, r.gid);
  if (rc != 0) return rc;
  if (chdir(r.cwd) != 0) return fail("chdir", r.cwd);
  environ = r.envp;
  execvp(r.argv[0], r.argv);
  return fail("exec", r.argv[0]);
}
