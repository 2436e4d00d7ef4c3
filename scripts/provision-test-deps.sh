#!/usr/bin/env bash
# What `npm test` needs beyond `npm install`, provisioned or named: `npm test` runs this first (the
# package's `pretest`), and so does .ci/run. When all is present it changes nothing and takes about
# a second (no apt-get at all). When something is missing it is installed if this script may
# (root, apt-get, and not FAASBENCH_PROVISION=check); otherwise it stops at once, naming each missing
# package with why the tests need it and the command that installs it, and exits 1.
#
#   FAASBENCH_PROVISION=check     only check: install and build nothing, report what is missing.
#   FAASBENCH_SKIP_PG=1           leave PostgreSQL out (its tests then skip, saying so).
#   FAASBENCH_TEST_PG=url         the PostgreSQL the store's tests use; only checked, never set up,
#                                 unless it is the default postgres://root@127.0.0.1:5432/test.
#   FAASBENCH_PROVISION_ABSENT="iperf3 chromium"
#                                 test-only: treat these packages as missing whatever is installed
#                                 (test/provision-test-deps.test.ts checks the message with it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, each with why: curl (the shell example's Runtime API client), iperf3
# (measure's net command), util-linux (unshare, mount: per-instance /tmp), python3 (the python
# runtime), gcc and libc6-dev (the platform compiles its sandbox launcher, src/platform/sandbox-exec.c,
# and its test expects it built), chromium (the dashboard and report tests drive it with
# playwright-core; no browser is downloaded from anywhere else), fonts for text in PNG charts, and
# AWS's own clients as Debian ships them, awscli and python3-boto3, which the Lambda conformance
# suite (test/lambda-conformance) drives the platform with: by absolute path, since a pyenv on PATH
# has its own aws and python3. python3-grpcio is the gRPC tests' second implementation beside
# grpc-js (a server the provider calls, a client of the platform's gRPC trigger), by the same path.
# linux-perf gives perf, whose `perf stat` the local platform attaches to an instance for per-call
# performance counters.
declare -A why=(
  [curl]="the shell example's Runtime API client"
  [iperf3]="measure's net command and its test"
  [util-linux]="unshare and mount: a private /tmp per instance"
  [python3]="the python runtime"
  [gcc]="compiles the platform's sandbox launcher"
  [libc6-dev]="headers for the sandbox launcher"
  [chromium]="the dashboard and report tests (/usr/bin/chromium)"
  [fonts-dejavu-core]="text in PNG charts"
  [awscli]="the Lambda conformance suite (/usr/bin/aws)"
  [python3-boto3]="the Lambda conformance suite (boto3 for /usr/bin/python3)"
  [python3-grpcio]="the gRPC provider's second server and the gRPC trigger's client (grpc for /usr/bin/python3)"
  [openssl]="a TLS certificate for the gRPC provider's test"
  [linux-perf]="perf stat: the local platform's per-call performance counters and their test"
  [cmake]="building aws-lambda-ric (test/security/aws-lambda-ric.test.ts)"
  [autoconf]="building aws-lambda-ric"
  [automake]="building aws-lambda-ric"
  [libtool]="building aws-lambda-ric"
  [make]="building aws-lambda-ric"
  [g++]="building aws-lambda-ric"
  [postgresql]="the store's PostgreSQL tests"
)

present() {
  case " ${FAASBENCH_PROVISION_ABSENT:-} " in *" $1 "*) return 1 ;; esac
  case $1 in
    util-linux) command -v unshare ;;
    gcc) command -v cc ;;
    libc6-dev) printf '#include <sys/mount.h>\n' | cc -E -x c - ;;
    chromium) [ -x /usr/bin/chromium ] ;;
    fonts-dejavu-core) [ -d /usr/share/fonts/truetype/dejavu ] ;;
    awscli) [ -x /usr/bin/aws ] ;;
    python3-boto3) [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("boto3") is None)' ;;
    python3-grpcio) [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("grpc") is None)' ;;
    cmake | make | g++) command -v "$1" ;;
    autoconf) command -v autoreconf ;;
    libtool) command -v libtoolize ;;
    postgresql) command -v pg_ctlcluster ;;
    linux-perf) command -v perf ;;
    *) command -v "$1" ;;
  esac >/dev/null 2>&1
}

may_install() {
  [ "${FAASBENCH_PROVISION:-}" != check ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null
}

need=()
for pkg in curl iperf3 util-linux python3 gcc libc6-dev chromium fonts-dejavu-core awscli python3-boto3 python3-grpcio openssl linux-perf; do
  present "$pkg" || need+=("$pkg")
done

# AWS's Node runtime interface client for test/security/aws-lambda-ric.test.ts (nothing else uses it).
# Its install compiles curl and aws-lambda-cpp from sources inside the npm package (autotools, cmake,
# g++) and its addon with node-gyp: 3.5-7 minutes on a 2-core machine, fetching nothing but the npm
# packages. A build is kept per lockfile and Node version outside the clone (as root under
# /var/cache, where every folder is readable by the unprivileged user instances run as) and linked
# in, so a later run on this machine does not rebuild.
ric=test/security/ric
ric_built() { [ -f "$ric/node_modules/aws-lambda-ric/bin/index.mjs" ] && [ -f "$ric/node_modules/aws-lambda-ric/dist/rapid-client.node" ]; }
ric_key=$({ cat "$ric/package-lock.json"; node -p 'process.version + process.arch'; } | sha256sum | cut -c1-16)
if [ "$(id -u)" = 0 ]; then ric_root=/var/cache/faasbench-ci; else ric_root=${XDG_CACHE_HOME:-$HOME/.cache}/faasbench-ci; fi
ric_cache=$ric_root/ric-$ric_key
[ -f "/var/cache/faasbench-ci/ric-$ric_key/complete" ] && ric_cache=/var/cache/faasbench-ci/ric-$ric_key
ric_build=false
if ! ric_built || { [ -L "$ric/node_modules" ] && [ "$(readlink "$ric/node_modules")" != "$ric_cache/node_modules" ]; }; then
  if [ ! -f "$ric_cache/complete" ]; then
    ric_build=true
    for pkg in cmake autoconf automake libtool make g++; do present "$pkg" || need+=("$pkg"); done
  fi
fi

# PostgreSQL: the store's tests run against a real server (postgres://root@127.0.0.1:5432/test, trust
# auth). Installed from Debian when absent, started when installed but stopped, given its role and
# database; FAASBENCH_SKIP_PG=1 leaves it out.
pg_default=postgres://root@127.0.0.1:5432/test
pg_setup=false
if [ "${FAASBENCH_SKIP_PG:-}" != 1 ] && ! node scripts/check-postgres.mjs >/dev/null 2>&1; then
  if [ -n "${FAASBENCH_TEST_PG:-}" ] && [ "$FAASBENCH_TEST_PG" != "$pg_default" ]; then
    node scripts/check-postgres.mjs || true
    echo "the store's PostgreSQL tests need FAASBENCH_TEST_PG=$FAASBENCH_TEST_PG to answer (or FAASBENCH_SKIP_PG=1 to skip them)" >&2
    exit 1
  fi
  pg_setup=true
  present postgresql || need+=(postgresql)
fi

if ! may_install && { [ ${#need[@]} -gt 0 ] || $pg_setup || $ric_build; }; then
  sudo=''
  [ "$(id -u)" = 0 ] || sudo='sudo '
  {
    echo "npm test needs what this machine lacks:"
    for pkg in "${need[@]}"; do printf '  %-18s %s; install: %sapt-get install -y %s\n' "$pkg" "${why[$pkg]}" "$sudo" "$pkg"; done
    if $pg_setup && present postgresql; then echo "  PostgreSQL is installed but does not answer at $pg_default (trust auth, role root, database test)"; fi
    if $ric_build; then echo "  aws-lambda-ric is not built in $ric (3.5-7 minutes on 2 cores)"; fi
    [ ${#need[@]} -eq 0 ] || echo "all at once: ${sudo}apt-get install -y ${need[*]}"
    echo "or let this script install and set up everything: ${sudo}bash scripts/provision-test-deps.sh"
    if $pg_setup; then echo "(FAASBENCH_SKIP_PG=1 skips the PostgreSQL tests instead)"; fi
  } >&2
  exit 1
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "installing for the tests: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" </dev/null
fi

if $ric_build; then
  # node-gyp takes Node's headers from the installation (it would download them otherwise).
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$node_prefix/include/node/node_api.h" ] || { echo "no Node headers under $node_prefix/include/node: aws-lambda-ric cannot be built" >&2; exit 1; }
  echo "building aws-lambda-ric for test/security/aws-lambda-ric.test.ts (3.5-7 minutes, once per lockfile and Node version)" >&2
  rm -rf "$ric/node_modules"
  (cd "$ric" && npm_config_nodedir="$node_prefix" npm ci --no-audit --no-fund)
  mkdir -p "$ric_root"
  staging=$(mktemp -d "$ric_root/.ric-$ric_key.XXXXXX")
  chmod 755 "$staging"
  cp -a "$ric/node_modules" "$staging/"
  # The package's own clean-up of its build tree misses (its `[^gz]` glob is no negation in sh).
  rm -rf "$staging"/node_modules/aws-lambda-ric/deps/*-*/
  touch "$staging/complete"
  rm -rf "$ric_cache"
  mv "$staging" "$ric_cache"
fi
if [ -f "$ric_cache/complete" ] && [ "$(readlink "$ric/node_modules" 2>/dev/null)" != "$ric_cache/node_modules" ]; then
  rm -rf "$ric/node_modules"
  ln -s "$ric_cache/node_modules" "$ric/node_modules"
fi

if $pg_setup; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  grep -q '^host all all 127.0.0.1/32 trust' "$hba" || sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  su postgres -c "psql -tAc \"select 1 from pg_roles where rolname='root'\"" | grep -q 1 || su postgres -c 'createuser -s root'
  su postgres -c "psql -tAc \"select 1 from pg_database where datname='test'\"" | grep -q 1 || su postgres -c 'createdb -O root test'
  node scripts/check-postgres.mjs || { echo "the store's tests need PostgreSQL at $pg_default; it could not be started" >&2; exit 1; }
fi
