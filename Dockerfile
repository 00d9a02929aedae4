FROM node:20-slim
WORKDIR /app
# Production: no GraphiQL or introspection, and authentication must be configured
# (AUTH_JWT_SECRET or AUTH_JWKS_URL); see the README.
ENV NODE_ENV=production
# Inside a container the port is published by Docker, so listen on every interface.
ENV HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
EXPOSE 4000
CMD ["node", "--import", "tsx", "src/main.ts"]
