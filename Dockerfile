# syntax=docker/dockerfile:1
#
# runbook-bot container image.
#
#   docker build -t runbook-bot .
#   docker build --target check .          # optional: typecheck the sources (tsc --noEmit)
#   docker run --rm \
#     -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN \
#     -v "$PWD/config.yaml:/etc/runbook-bot/config.yaml:ro" \
#     -v runbook-bot-data:/data \
#     runbook-bot
#
# The build stage compiles the TypeScript sources (src/, bench/) into dist/ with tsc: `npm ci`
# runs the package's prepare script (`npm run build`). The image holds bin/, dist/, package.json
# and the production node_modules: no src/, no TypeScript loader at run time (tsx and typescript
# are devDependencies, dropped by `npm prune --omit=dev`). bin/runbook-bot.js runs dist/.
# Secrets are never baked in: pass SLACK_BOT_TOKEN, SLACK_APP_TOKEN (socket mode) or
# SLACK_SIGNING_SECRET (http mode), and the variable kafka.sasl.passwordEnv names, at run time.
# Without SLACK_BOT_TOKEN, `serve` starts the embedded sandbox instead (needs `docker run -it`).

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: install dependencies (compiles better-sqlite3 when no prebuilt binary fits) and
# compile the sources into dist/ (npm ci runs the prepare script, `npm run build`) ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY bench ./bench
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund \
 && test -f dist/src/cli/main.js

# ---- check (optional, `--target check`): typecheck over src, test and bench ----
FROM build AS check
COPY test ./test
COPY vitest.config.ts ./
RUN npx tsc --noEmit -p tsconfig.json

# ---- prod-deps: drop the dev dependencies (typescript, vitest, biome, @types) ----
FROM build AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# A fixed non-root user; uid 10001 matches runAsUser in manifests/deployment.yaml.
RUN groupadd --system --gid 10001 runbook \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin runbook \
 && mkdir -p /data /etc/runbook-bot \
 && chown 10001:10001 /data
# A default config so that the image starts on its own; mount your own over it (a ConfigMap in
# Kubernetes). Only the store path differs from the built-in defaults.
RUN printf '%s\n' \
      '# Default config of the runbook-bot image: mount your own at /etc/runbook-bot/config.yaml.' \
      '# Every key is documented in config.example.yaml.' \
      'store:' \
      '  path: /data/runbook-bot.db' \
      > /etc/runbook-bot/config.yaml
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The SQLite store (incidents, approvals, audit trail) lives here; keep it on a volume.
VOLUME ["/data"]
USER 10001:10001
# The ops endpoints (config ops.port): /healthz, /readyz, /metrics. Kubernetes probes them itself
# (manifests/); the HEALTHCHECK serves plain Docker. Node's fetch: the slim image has no curl.
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/runbook-bot.js"]
CMD ["serve", "--config", "/etc/runbook-bot/config.yaml"]
