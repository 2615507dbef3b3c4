# sequence-mock's image: compile in one stage, run the compiled server as `node` in a slim one.
# Build: docker build -t sequence-mock .   (podman: add --format docker to keep the HEALTHCHECK)
ARG NODE_VERSION=20
ARG BASE=bookworm-slim

FROM node:${NODE_VERSION}-${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig*.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-${BASE}
LABEL org.opencontainers.image.title="sequence-mock" \
      org.opencontainers.image.description="A local, offline stand-in for Sequence's billing API (the Users resource)" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production SEQUENCE_MOCK_HOST=0.0.0.0 SEQUENCE_MOCK_PORT=8910
WORKDIR /app
# Everything below is owned by root and only readable by `node`, so the server cannot rewrite itself.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
USER node
EXPOSE 8910
# Node's own fetch: slim images have no curl.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["node", "dist/healthcheck.js"]
# Exec form, never `npm start`: npm does not pass SIGTERM on, and the server handles it itself.
CMD ["node", "dist/server.js"]
