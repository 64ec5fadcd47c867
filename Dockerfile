# Faultline's container image: `docker build -t faultline .`, or `docker compose up` (compose.yaml).
# The image runs the compiled server (dist/, ~1.2 s to ready and ~145 MB RSS, against ~2 s and
# ~240 MB under tsx) with production dependencies only, as the unprivileged `node` user.
# .ci/start-built runs this file's CMD and HEALTHCHECK from a clean `npm ci --omit=dev`.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Compile the TypeScript (dev dependencies; no install scripts: tsc needs no native module).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies: re2 is a native module, built here with python3, make and g++.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 3. The image: the compiled server and its dependencies; no compiler, no sources, not root.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    ENV_FILE=/data/.env
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
# `faultline` on the PATH (docker compose exec faultline faultline dsn owner/repo); /data holds
# the embedded database when DATABASE_URL is unset, and the .env the setup flow writes.
RUN ln -s /app/bin/faultline.js /usr/local/bin/faultline \
  && mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=32", "dist/main.js"]
