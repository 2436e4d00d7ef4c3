/*
 * sandbox-exec TMPDIR CODEDIR COMMAND [ARG...]
 *
 * What the platform's shell wrapper does (unshare --mount, mount --bind TMPDIR /tmp, mount --bind
 * -o ro CODEDIR CODEDIR, exec COMMAND) in one process instead of four: every cold start pays for
 * each exec, and a cold start is what the platform is measured on. Built from this file at platform
 * start when a C compiler is present (see sandbox-helper.ts); without one the shell wrapper runs.
 * Exit code 98 means the sandbox could not be set up, as with the shell wrapper.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "sandbox-exec: %s %s: %s\n", what, path, strerror(errno));
  return 98;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: sandbox-exec TMPDIR CODEDIR COMMAND [ARG...]\n");
    return 2;
  }
  const char *tmp = argv[1];
  const char *code = argv[2];
  if (unshare(CLONE_NEWNS) != 0) return fail("unshare", "(mount namespace)");
  /* Mounts made here must not propagate back to the host's namespace. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return fail("make private", "/");
  if (mount(tmp, "/tmp", NULL, MS_BIND, NULL) != 0) return fail("bind /tmp to", tmp);
  if (mount(code, code, NULL, MS_BIND, NULL) != 0) return fail("bind", code);
  /* A bind mount takes read-only only on a remount, as mount(8) does for `--bind -o ro`. */
  if (mount(NULL, code, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) return fail("make read-only", code);
  unsetenv("PWD");
  unsetenv("OLDPWD");
  execvp(argv[3], argv + 3);
  return fail("exec", argv[3]);
}
