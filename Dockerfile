# SES Support Slack bot. Build: docker build -t ses-support-bot .
# Run:   docker run --env-file .env -v ses-bot-data:/app/data ses-support-bot
#        (HTTP mode: also -p 3000:3000 behind your HTTPS proxy; see manifest.http.yml)
ARG NODE_VERSION=24

# --- build: compile TypeScript and the native better-sqlite3 module, then drop dev dependencies
FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# --- runtime
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# package.json is needed at run time: its "type": "module" makes dist/*.js ES modules.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The SQLite database (DATABASE_URL defaults to file:./data/ses-bot.sqlite) lives on a volume.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
# HTTP mode: Slack's requests on /slack/events; both modes: GET /healthz.
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:${PORT:-3000}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# --optimize-for-size: V8's young generation and heap growth sized for a small service (the same
# options as `npm start`; BENCHMARKS.md, issue 16, has the measurements).
CMD ["node", "--optimize-for-size", "dist/main.js"]
