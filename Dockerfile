# syntax=docker/dockerfile:1
# Build: the binary bundles SQLite, libpq and OpenSSL, so the runtime image needs no libraries.
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends perl make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY reference ./reference
COPY data/demo ./data/demo
RUN cargo build --release --locked && strip target/release/devfund

# Run: a small Debian image, an unprivileged user, data in /data.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data devfund \
 && mkdir /data && chown devfund /data
COPY --from=build /src/target/release/devfund /usr/local/bin/devfund
USER devfund
ENV DEVFUND_BIND=0.0.0.0:8080 \
    DEVFUND_DATA_DIR=/data \
    DEVFUND_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# Ready means the database answers: `devfund healthcheck` asks GET /health/ready on the bind
# address (a bare socket, no curl in the image) and exits 0 or 1.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/devfund", "healthcheck"]
# SIGTERM drains in-flight requests for DEVFUND_SHUTDOWN_TIMEOUT_SECS (30 s) before exiting:
# give `docker stop` a longer grace (`--time 35`, or stop_grace_period in compose).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/devfund"]
CMD ["serve"]
