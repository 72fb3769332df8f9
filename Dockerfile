FROM node:20-bookworm-slim AS assets
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY web/ ./

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service service
COPY schema schema
COPY resolvers resolvers
COPY graph graph
COPY rules rules
COPY installed_base installed_base
COPY exports exports
COPY web web
COPY --from=assets /src/web/node_modules web/node_modules
RUN pip install --no-cache-dir . && python -m web.build_assets --skip-install --omit-dev
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["python", "-m", "service.cli", "run"]
