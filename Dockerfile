# The image `faasbench load k8s-job` runs in each pod of its Job: the project as it is in git, its
# dependencies from the lockfile, the CLI as the entry point (the Job gives `invoke ... --shard i/n`).
# Build it from the project's root: docker build -t <registry>/faasbench:<tag> .
FROM node:20-slim

# better-sqlite3 compiles from source when no prebuilt binary fits the image; python3 also serves
# the local platform's python runtime.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

RUN mkdir /app && chown node:node /app
WORKDIR /app
USER node

# The postinstall script installs each function's own dependencies: it needs scripts/ and functions/.
COPY --chown=node:node package.json package-lock.json ./
COPY --chown=node:node scripts ./scripts
COPY --chown=node:node functions ./functions
RUN npm ci --omit=dev --no-audit --no-fund

COPY --chown=node:node . .

ENTRYPOINT ["node", "bin/faasbench.mjs"]
