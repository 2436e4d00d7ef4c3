/*
 * sandbox-exec TMPDIR CODEDIR COMMAND [ARG...]
 * sandbox-exec --wait
 *
 * What the platform's shell wrapper does (unshare --mount, mount --bind TMPDIR /tmp, mount --bind
 * -o ro CODEDIR CODEDIR, exec COMMAND) in one process instead of four: every cold start pays for
 * each exec, and a cold start is what the platform is measured on. Built from this file at platform
 * start when a C compiler is present (see sandbox-helper.ts); without one the shell wrapper runs.
 *
 * --wait: started ahead of need, so the cost of forking the platform's large process is paid before
 * a cold start instead of during it (see prewarmed-launchers.ts). It reads its instance from stdin
 * until EOF, NUL-separated: isolation ("namespace" or "none"), TMPDIR, CODEDIR, working directory,
 * argument count, the arguments (the first is the command), then the environment, one NAME=value
 * each. stdin becomes /dev/null before the command runs.
 *
 * Both forms die with the platform that started them (SIGKILL on its death, kept across the exec
 * of the runtime): an instance, even a stopped one, does not outlive a platform killed with kill -9.
 * A platform that dies between the fork and the prctl leaves the launcher behind; the next
 * platform's start reaps it (leftovers.ts).
 *
 * Exit code 98 means the sandbox could not be set up, as with the shell wrapper; 2 a bad request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *what, const char *path) {
  fprintf(stderr, "sandbox-exec: %s %s: %s\n", what, path, strerror(errno));
  return 98;
}

static int sandbox(const char *tmp, const char *code) {
  if (unshare(CLONE_NEWNS) != 0) return fail("unshare", "(mount namespace)");
  /* Mounts made here must not propagate back to the host's namespace. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return fail("make private", "/");
  if (mount(tmp, "/tmp", NULL, MS_BIND, NULL) != 0) return fail("bind /tmp to", tmp);
  if (mount(code, code, NULL, MS_BIND, NULL) != 0) return fail("bind", code);
  /* A bind mount takes read-only only on a remount, as mount(8) does for `--bind -o ro`. */
  if (mount(NULL, code, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) return fail("make read-only", code);
  return 0;
}

/* All of stdin, NUL-terminated fields split into *fields; returns the field count or -1. */
static int read_request(char ***fields) {
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

static int run_request(void) {
  char **f;
  int count = read_request(&f);
  /* EOF with nothing: the platform went away before it needed this launcher. */
  if (count <= 0) return 2;
  int argc = count >= 5 ? atoi(f[4]) : 0;
  if (argc < 1 || 5 + argc > count) {
    fprintf(stderr, "sandbox-exec: malformed request on stdin\n");
    return 2;
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0) return fail("open", "/dev/null");
  close(devnull);
  if (strcmp(f[0], "namespace") == 0) {
    int r = sandbox(f[1], f[2]);
    if (r != 0) return r;
  }
  /* After the mounts: a directory entered before them would be the writable one underneath. */
  if (chdir(f[3]) != 0) return fail("chdir", f[3]);
  char **args = calloc((size_t)argc + 1, sizeof(char *));
  if (args == NULL) return fail("allocate", "arguments");
  memcpy(args, f + 5, (size_t)argc * sizeof(char *));
  /* The rest are the environment, ended by the NULL read_request put after the last field. */
  environ = f + 5 + argc;
  execvp(args[0], args);
  return fail("exec", args[0]);
}

int main(int argc, char **argv) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return fail("prctl", "PR_SET_PDEATHSIG");
  if (argc == 2 && strcmp(argv[1], "--wait") == 0) return run_request();
  if (argc < 4) {
    fprintf(stderr, "usage: sandbox-exec TMPDIR CODEDIR COMMAND [ARG...] | sandbox-exec --wait\n");
    return 2;
  }
  int r = sandbox(argv[1], argv[2]);
  if (r != 0) return r;
  unsetenv("PWD");
  unsetenv("OLDPWD");
  execvp(argv[3], argv + 3);
  return fail("exec", argv[3]);
}
