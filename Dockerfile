# syntax=docker/dockerfile:1
# mixpay-checkout in a container: the published package installed with `npm ci --omit=dev`, run
# as the unprivileged `node` user, SQLite data on the /data volume (or DATABASE_URL=postgres://...).
#
#   docker build -t mixpay-checkout .
#   docker run -p 8787:8787 -v mixpay-data:/data --env-file .env mixpay-checkout
#
# docker-compose.yml runs it with PostgreSQL; docs/production.md covers TLS, keys and backups.
# test/server/package-docker.test.ts runs these instructions in order in a temporary directory
# (Docker cannot run on the test machines): keep RUN and CMD to paths under /src, /app and /data.

# 1. Build the package tarball from the repository, as a release does (prepack runs the build).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The build needs no native module (better-sqlite3 is a test dependency here): skip install scripts.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN mkdir -p pkg && npm pack --pack-destination pkg

# 2. Install it as a merchant does, with the SQLite and PostgreSQL drivers, production dependencies only.
FROM node:20-bookworm-slim AS install
WORKDIR /app
COPY --from=build /src/pkg/ ./pkg/
RUN npm init -y >/dev/null \
 && npm pkg set private=true allowScripts.better-sqlite3=true --json \
 && npm install --package-lock-only --no-audit --no-fund ./pkg/mixpay-checkout-*.tgz better-sqlite3@^12 pg@^8
RUN npm ci --omit=dev --no-audit --no-fund

# 3. The image: the installed package and nothing else.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8787 DATABASE_URL=sqlite:/data/mixpay.db
WORKDIR /app
COPY --from=install /app/package.json /app/package-lock.json ./
COPY --from=install /app/node_modules ./node_modules
# 1000:1000 is the image's `node` user.
RUN mkdir -p /data && chown 1000:1000 /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations run before the server takes traffic (serve would run them too; this makes a failed one stop the container).
CMD ["sh", "-c", "node node_modules/mixpay-checkout/bin/mixpay-checkout.js migrate && exec node node_modules/mixpay-checkout/bin/mixpay-checkout.js serve"]
