# One image for every Qianzhao process (the Deployments choose the command): uv installs the locked workspace.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv sync --locked --all-packages --no-dev  # editable: migrations stay beside each service
COPY supergraph.graphql ./

FROM python:3.11-slim
ENV PATH=/app/.venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=build /app /app
RUN useradd --uid 10001 --no-create-home qianzhao
USER 10001
EXPOSE 4000 4001 4002 4003
CMD ["qianzhao", "--help"]
