# syntax=docker/dockerfile:1

# ---- build: compile TypeScript and better-sqlite3's native addon, then drop dev dependencies ----
FROM node:20-slim AS build
WORKDIR /app

# better-sqlite3 compiles from source (node-gyp needs python3, make and a C++ compiler).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
# mkdir: the runtime stage copies data/ and policies/, which may hold nothing but a .gitkeep (or be absent).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p data policies

# ---- runtime ----
FROM node:20-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    SKYOPS_STATE=/var/lib/skyops

RUN groupadd --system skyops \
 && useradd --system --gid skyops --home-dir /var/lib/skyops --shell /usr/sbin/nologin skyops \
 && mkdir -p /var/lib/skyops \
 && chown skyops:skyops /var/lib/skyops

# package.json carries "type": "module", which dist/ needs.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/policies ./policies

USER skyops
VOLUME /var/lib/skyops
EXPOSE 7070 7071

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7070/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# the daemon's V8 flags (src/server/node-flags.ts), as the skyops command passes them
ENTRYPOINT ["node", "--max-semi-space-size=4", "dist/src/cli.js"]
# the daemon on the embedded simulator; listen on every interface inside the container, keep state in the volume.
# Not loopback, so it starts only with an API token: docker run -e SKYOPS_API_TOKENS=alice=TOKEN … (skyops token create alice)
CMD ["daemon", "--http", "0.0.0.0:7070", "--state", "/var/lib/skyops", "--speed", "60"]
