#!/usr/bin/env bash
# Build, offline, the controller image and the local images the tests and examples use.
#   podlike/base:bookworm   Debian minbase with python3, PyYAML, nginx and busybox (debootstrap + docker import)
#   podlike/busybox:latest  FROM scratch + Debian's busybox-static
#   podlike/nginx:local     nginx from Debian, for examples and tests (users get the official nginx image)
#   podlike/controller:latest  images/controller/Dockerfile with BASE_IMAGE=podlike/base:bookworm
# Set PODLIKE_CONTROLLER_BASE to build the controller from another base (the Dockerfile's default is the
# official python image, which needs a registry).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf 'build-images: %s\n' "$*" >&2; }

BASE=podlike/base:bookworm
SUITE_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=python3,python3-yaml,python3-jinja2,nginx-light,busybox,ca-certificates

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
need_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $2"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    log "$1 is missing: install the $2 package, then run this again."; exit 1
  fi
}

if ! have_image "$BASE" || [ "${PODLIKE_REBUILD_BASE:-}" = 1 ]; then
  need_tool debootstrap debootstrap
  root=$(mktemp -d /tmp/podlike-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm with $PACKAGES (about a minute)"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "$SUITE_MIRROR" >/tmp/podlike-debootstrap.log 2>&1 \
    || { log "debootstrap failed; see /tmp/podlike-debootstrap.log"; exit 1; }
  chroot "$root" /bin/busybox --install -s /usr/local/bin >/dev/null 2>&1 || true
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  log "built $BASE"
fi

if ! have_image podlike/busybox:latest || [ "${PODLIKE_REBUILD:-}" = 1 ]; then
  need_tool busybox busybox-static
  bb=$(command -v busybox)
  file_type=$(file -L "$bb" 2>/dev/null || true)
  case "$file_type" in *dynamically*) log "busybox at $bb is not static: apt-get install busybox-static"; exit 1;; esac
  cp "$bb" images/busybox/busybox
  docker build -q -t podlike/busybox:latest images/busybox >/dev/null
  rm -f images/busybox/busybox
  log "built podlike/busybox:latest"
fi

if ! have_image podlike/nginx:local || [ "${PODLIKE_REBUILD:-}" = 1 ]; then
  docker build -q --build-arg BASE_IMAGE="$BASE" -t podlike/nginx:local images/nginx >/dev/null
  log "built podlike/nginx:local"
fi

docker build -q \
  --build-arg BASE_IMAGE="${PODLIKE_CONTROLLER_BASE:-$BASE}" \
  -f images/controller/Dockerfile -t podlike/controller:latest . >/dev/null
log "built podlike/controller:latest"
