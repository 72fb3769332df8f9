# The API image for docker compose; Neo4j runs in its own container (see docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY . .
COPY --from=assets /src/web/node_modules web/node_modules
RUN python -m web.build_assets --skip-install --omit-dev \
    && pip install --no-cache-dir -e . \
    && rm -rf web/node_modules
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["python", "-m", "service.cli", "run"]
