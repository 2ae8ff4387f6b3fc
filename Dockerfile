# syntax=docker/dockerfile:1
#
# One image for the API server, the migrations and the backups:
#   default command            the API (port 8000, HEALTHCHECK on /health)
#   stockroom db migrate       one-shot migrations
#   stockroom db backup …      backups (pg_dump/psql 15 are installed)
#
# The server runs compiled JavaScript: apps/server/dist/main.mjs, made by the same
# scripts/build-server.mjs that `pnpm install` and `pnpm start` run in a checkout (one ES
# module of our code; packages stay in node_modules). The CLI runs its TypeScript through
# tsx (a production dependency). See docs/operations.md.
#
# Stages: prune (turbo prune to the server + CLI and their workspace deps), build (full
# install, compiles the server), deps (production dependencies only, pnpm install --prod
# against the pruned lockfile, plus the compiled server), runtime (non-root), and test
# (full dev install, for `docker compose --profile test`).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1 \
    CI=true
# corepack fails against the registry signature check: install the pinned pnpm directly.
RUN npm install -g pnpm@12.4.2 turbo@2.11.11 && npm cache clean --force

FROM base AS prune
WORKDIR /src
COPY . .
RUN turbo prune @stockroom/server @stockroom/cli --docker --out-dir /out

FROM base AS build
WORKDIR /app
COPY --from=prune /out/json/ ./
COPY scripts/postinstall.mjs ./scripts/
# The sources are not here yet: compiling (and the PGlite templates) waits for the step below.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    STOCKROOM_SKIP_POSTINSTALL=1 pnpm install --frozen-lockfile
COPY --from=prune /out/full/ ./
COPY tsconfig.base.json ./
COPY scripts/build-server.mjs ./scripts/
# The bundle imports packages by their path under node_modules/.pnpm, which a production
# install of the same lockfile lays out the same way (deps stage).
RUN node scripts/build-server.mjs

FROM base AS deps
WORKDIR /app
# Manifests and lockfile first: this layer is rebuilt only when dependencies change.
COPY --from=prune /out/json/ ./
# The root package's postinstall runs it. In a production install it finds neither esbuild
# nor tsx and does nothing (the server is compiled in the build stage).
COPY scripts/postinstall.mjs ./scripts/
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod
COPY --from=prune /out/full/ ./
# Tests and build configs are not needed at run time.
RUN rm -rf apps/*/test packages/*/test packages/*/dist \
    && find apps packages -name '*.test.ts' -delete
COPY --from=build /app/apps/server/dist ./apps/server/dist

FROM ${NODE_IMAGE} AS runtime
# pg_dump and psql for `stockroom db backup|restore|verify`; major 15 matches the postgres:15
# service (pg_dump must be at least the server's major). tini forwards SIGTERM to node.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 tini \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    STOCKROOM_DATA_DIR=/data
COPY --from=deps --chown=node:node /app /app
RUN printf '#!/bin/sh\nexec node /app/packages/cli/bin/stockroom.mjs "$@"\n' > /usr/local/bin/stockroom \
    && chmod 0755 /usr/local/bin/stockroom \
    && mkdir -p /data /backups \
    && chown node:node /data /backups
# The unprivileged user that ships with the node image (uid 1000).
USER node
WORKDIR /app/apps/server
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.mjs"]

# `docker compose --profile test run --rm tests`: the whole suite against the db service.
FROM base AS test
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile
CMD ["pnpm", "test"]
