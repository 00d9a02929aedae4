# Pinned: the same Node on every build.
FROM node:20.19.5-bookworm-slim
WORKDIR /app
# Production: no GraphiQL or introspection, and authentication must be configured
# (AUTH_JWT_SECRET or AUTH_JWKS_URL); see the README.
ENV NODE_ENV=production
# Inside a container the port is published by Docker, so listen on every interface.
ENV HOST=0.0.0.0
COPY package.json package-lock.json ./
# The stand-ins are npm workspaces: npm ci links them, so their manifests come first.
COPY packages/eventstore-standin/package.json ./packages/eventstore-standin/
COPY packages/mongo-standin/package.json ./packages/mongo-standin/
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY packages/eventstore-standin/src ./packages/eventstore-standin/src
COPY packages/eventstore-standin/bin ./packages/eventstore-standin/bin
COPY packages/mongo-standin/src ./packages/mongo-standin/src
COPY packages/mongo-standin/bin ./packages/mongo-standin/bin
# Never root: the image's `node` user owns only DATA_DIR (the development secret lives there).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# Ready = both stores answer and the read models are within READY_MAX_LAG_MS of the head.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "src/main.ts"]
