# driftless controller image. Build: docker build -t driftless:latest .
# Stage 1 compiles TypeScript to dist/ with the dev dependencies; stage 2 installs production dependencies
# only; the runtime stage holds dist/, bin/, those node_modules and package.json, and runs as non-root.

FROM node:22-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
# --omit=dev leaves out typescript, vitest, biome and the `node` package (a second Node binary for dev).
# --ignore-scripts: ssh2's optional native crypto binding needs a compiler; its pure JS fallback is used.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:22-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY package.json ./
# 65532 is the conventional "nonroot" uid of distroless images; deploy/deployment.yaml runs as the same.
USER 65532:65532
EXPOSE 8080 9440
ENTRYPOINT ["node", "bin/driftless.mjs"]
CMD ["controller"]
