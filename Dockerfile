# syntax=docker/dockerfile:1
# The in-cluster image of kubectl-wasmpolicy (e.g. `audit` as a Job or CronJob): the same single executable that
# the krew archives hold (scripts/package.mjs), on a distroless base, running as a non-root user.
#
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg WASMPOLICY_COMMIT="$(git rev-parse --short=12 HEAD)" \
#     --build-arg SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" -t kubectl-wasmpolicy .
#
# The build stage runs on the build machine's platform and makes the target's binary from the npm package
# node-linux-<arch> (version and integrity pinned in scripts/package.mjs), so arm64 needs no emulation.

FROM --platform=$BUILDPLATFORM node:22-bookworm-slim AS build
# Strip tools for both architectures: the target's Node.js is stripped before the SEA blob is injected.
# (Unpinned: the build stage is not shipped, and pinned Debian versions break when the archive moves on.)
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils-x86-64-linux-gnu binutils-aarch64-linux-gnu \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG TARGETARCH
ARG WASMPOLICY_COMMIT=unknown
ARG SOURCE_DATE_EPOCH=315532800
ENV WASMPOLICY_COMMIT=${WASMPOLICY_COMMIT} SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH}
RUN case "${TARGETARCH}" in \
      amd64) target=linux-x64 ;; \
      arm64) target=linux-arm64 ;; \
      *) echo "unsupported TARGETARCH ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
 && npm run package -- --targets "${target}" --no-archive \
 && mkdir -p /out \
 && cp "dist/sea/${target}/kubectl-wasmpolicy" "dist/sea/${target}/LICENSE-nodejs" LICENSE /out/

# distroless/cc: glibc, libstdc++ and libgcc (what the Node.js binary links to), CA certificates, tzdata,
# no shell; the :nonroot tag runs as uid/gid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
ARG WASMPOLICY_COMMIT=unknown
LABEL org.opencontainers.image.title="kubectl-wasmpolicy" \
      org.opencontainers.image.description="Runs Kubewarden WebAssembly admission policies on manifests and live objects" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/kubectl-wasmpolicy/kubectl-wasmpolicy" \
      org.opencontainers.image.revision="${WASMPOLICY_COMMIT}"
COPY --from=build /out/kubectl-wasmpolicy /usr/local/bin/kubectl-wasmpolicy
COPY --from=build /out/LICENSE /out/LICENSE-nodejs /usr/share/doc/kubectl-wasmpolicy/
# The policy store (pulled policies) and caches go under $HOME; /tmp is the writable place in a read-only root.
ENV HOME=/tmp NO_COLOR=1
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/kubectl-wasmpolicy"]
CMD ["--help"]
