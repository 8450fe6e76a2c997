# The gitops toolkit as an image: the sync job (charts/gitops-sync) and every other command.
#
#   docker build -t ghcr.io/example/gitops:0.1.0 .
#   docker run --rm ghcr.io/example/gitops:0.1.0 --help
#
# Build stage: the Swift toolchain the project is tested with (6.3) on Debian bookworm, with the C
# libraries' headers.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgit2-dev libyaml-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the manifest changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
COPY bench/Sources ./bench/Sources
RUN swift build -c release --product gitops --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/gitops" /out/usr/local/bin/gitops \
 && strip /out/usr/local/bin/gitops

# Run stage: slim Debian with the shared libraries the binary links (libgit2, libyaml, zlib) and
# CA certificates for HTTPS remotes and API servers, time zones for templates' dateInZone. Checked:
# a release build with --static-swift-stdlib links only these (and libstdc++, libc) on bookworm.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgit2-1.5 libyaml-0-2 zlib1g ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 gitops \
 && useradd --uid 10001 --gid 10001 --home-dir /var/cache/gitops --no-create-home --shell /usr/sbin/nologin gitops \
 && install -d -o 10001 -g 10001 /var/cache/gitops
COPY --from=build /out/ /
# Read-only root filesystem ready: the job writes only to its cache and /tmp (emptyDirs in the chart).
VOLUME ["/var/cache/gitops", "/tmp"]
ENV HOME=/var/cache/gitops
USER 10001:10001
EXPOSE 8080
# The sync job serves /healthz with --listen=:8080 (as the chart runs it); bash's /dev/tcp avoids
# shipping curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/gitops"]
CMD ["--help"]
