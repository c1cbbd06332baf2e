#!/usr/bin/env bash
# A second, current Docker engine on this machine, for the compatibility tests (make compat).
#
#   scripts/current-engine.sh start [v1|v2]   start it (cgroup v1, or v2 mode); last line: DOCKER_HOST=unix://...
#   scripts/current-engine.sh stop            stop it and remove what start made (the cached root stays)
#   scripts/current-engine.sh status          say whether it runs
#   scripts/current-engine.sh build           only build the cached root (PODLIKE_CURRENT_CACHE, default below)
#
# The engine is Debian sid's docker.io (Docker 28.x) in a root built once with debootstrap and cached in
# /var/lib/podlike-current/rootfs. dockerd runs in a network namespace of its own (veth 10.251.0.1/30 on
# the host, 10.251.0.2/30 inside), in a private mount namespace whose root is that rootfs (pivot_root, so
# `docker exec` lands in the containers and not on the host), with DOCKER_MIN_API_VERSION=1.44: it refuses
# clients older than API 1.44 as Docker 29 does. In v2 mode a cgroup2 file system is mounted on its
# /sys/fs/cgroup, so the engine runs with cgroup v2 (this host keeps memory and cpu on its v1 hierarchies:
# v2 mode has no resource controllers). It is a one-node Swarm manager with the podlike images loaded.
# Inside its namespace it also listens on /var/run/docker.sock, the socket pods mount.
# $RUN/bin/docker runs the engine's own docker CLI (Debian sid's, through the root's dynamic loader): a
# host with Debian bookworm's docker.io has a 20.10 CLI, whose API 1.41 this engine refuses.
# The images come from the main engine (PODLIKE_MAIN_DOCKER_HOST, default /var/run/docker.sock), or from
# a `docker save` archive named by PODLIKE_IMAGES_TAR.
# The main engine (/var/run/docker.sock) is left alone.
set -euo pipefail

CACHE=${PODLIKE_CURRENT_CACHE:-/var/lib/podlike-current}
ROOTFS=$CACHE/rootfs
RUN=/run/podlike-current
SOCK=$RUN/docker.sock
PIDFILE=$RUN/dockerd.pid
LOG=/var/log/podlike-current-dockerd.log
NETNS=podlike-current
HOST_VETH=pl-current0
HOST_ADDR=10.251.0.1
ENGINE_ADDR=10.251.0.2
IMAGES=(podlike/controller:latest podlike/busybox:latest podlike/base:bookworm)
MAIN_ENGINE=${PODLIKE_MAIN_DOCKER_HOST:-unix:///var/run/docker.sock}
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o Acquire::Retries=3)

log() { printf 'current-engine: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
dk() { DOCKER_HOST=unix://$SOCK docker "$@"; }

need_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || die "$1 is missing: install the $2 package"
  log "installing $2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

mirror() {
  [ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -m1 '/debian/*$' || true)
  [ -z "$uri" ] && uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -m1 '/debian/*$' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

engine_pid() {
  [ -s "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -d "/proc/$pid" ] && grep -qx dockerd "/proc/$pid/comm" 2>/dev/null && echo "$pid"
}

build_rootfs() {
  [ -x "$ROOTFS/usr/sbin/dockerd" ] && return 0
  need_tool debootstrap debootstrap
  local tmp=$CACHE/rootfs.tmp source
  source=$(mirror)
  mkdir -p "$CACHE"
  if [ ! -x "$tmp/usr/bin/apt-get" ]; then
    rm -rf "$tmp"
    log "debootstrap sid from $source (a few minutes, once)"
    debootstrap --variant=minbase sid "$tmp" "$source" >"$CACHE/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see $CACHE/debootstrap.log"
  fi
  log "installing docker.io in the root"
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod +x "$tmp/usr/sbin/policy-rc.d"
  mountpoint -q "$tmp/proc" || mount -t proc proc "$tmp/proc"
  local status=0
  chroot "$tmp" /bin/sh -c "apt-get ${APT_OPTS[*]} update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get ${APT_OPTS[*]} install -y -qq --no-install-recommends docker.io docker-cli iptables" \
    >"$CACHE/apt.log" 2>&1 || status=$?
  umount "$tmp/proc"
  [ "$status" = 0 ] || die "apt-get install docker.io failed in the root; see $CACHE/apt.log"
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  mv "$tmp" "$ROOTFS"
}

network_up() {
  ip netns list | grep -qw "$NETNS" || ip netns add "$NETNS"
  if ! ip link show "$HOST_VETH" >/dev/null 2>&1; then
    ip link add "$HOST_VETH" type veth peer name eth0 netns "$NETNS"
  fi
  ip addr replace "$HOST_ADDR/30" dev "$HOST_VETH"
  ip link set "$HOST_VETH" up
  ip netns exec "$NETNS" ip link set lo up
  ip netns exec "$NETNS" ip addr replace "$ENGINE_ADDR/30" dev eth0
  ip netns exec "$NETNS" ip link set eth0 up
  ip netns exec "$NETNS" ip route replace default via "$HOST_ADDR"
}

# Runs in the new mount namespace (as root of nothing yet): mount what dockerd needs in the rootfs,
# make it the root, then start dockerd from it.
MOUNT_AND_RUN='
set -e
root=$1 cgroup=$2 run=$3
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
if [ "$cgroup" = v2 ]; then
  mount -t cgroup2 none "$root/sys/fs/cgroup"
else
  mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
fi
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$root/run/podlike-current"
mount --bind "$run" "$root/run/podlike-current"
mount -t tmpfs tmpfs "$root/tmp"
mkdir -p "$root/.oldroot"
cd "$root"
pivot_root . .oldroot
exec chroot . /bin/sh -c "umount -l /.oldroot && rmdir /.oldroot && exec env DOCKER_MIN_API_VERSION=1.44 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin dockerd \
  --host unix:///run/podlike-current/docker.sock --host unix:///run/docker.sock --pidfile /run/podlike-current/dockerd.pid \
  --data-root /var/lib/docker --exec-root /run/docker --cgroup-parent /podlike-current \
  --exec-opt native.cgroupdriver=cgroupfs --storage-driver overlay2"
'

start() {
  local mode=${1:-v1}
  [ "$mode" = v1 ] || [ "$mode" = v2 ] || die "usage: $0 start [v1|v2]"
  [ "$(id -u)" = 0 ] || die "run this as root"
  if engine_pid >/dev/null; then
    log "already running (pid $(engine_pid)); stop it first"
    echo "DOCKER_HOST=unix://$SOCK"
    return 0
  fi
  need_tool ip iproute2
  need_tool unshare util-linux
  need_tool nsenter util-linux
  build_rootfs
  stop_quietly
  mkdir -p "$RUN"
  rm -rf "$ROOTFS/var/lib/docker"
  network_up
  trap 'log "start failed: stopping the engine"; stop_quietly' EXIT
  log "starting dockerd ($mode) in network namespace $NETNS, root $ROOTFS"
  setsid nsenter --net=/run/netns/"$NETNS" unshare --mount --propagation private \
    /bin/sh -c "$MOUNT_AND_RUN" sh "$ROOTFS" "$mode" "$RUN" </dev/null >"$LOG" 2>&1 &
  for _ in $(seq 1 120); do
    dk version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    sleep 0.5
  done
  dk version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "dockerd did not answer within 60 s; see $LOG"
  log "one-node Swarm on $ENGINE_ADDR"
  dk swarm init --advertise-addr "$ENGINE_ADDR" >/dev/null
  if [ -n "${PODLIKE_IMAGES_TAR:-}" ]; then
    log "loading $PODLIKE_IMAGES_TAR"
    dk load -q -i "$PODLIKE_IMAGES_TAR" >/dev/null
  else
    log "loading ${IMAGES[*]} from the main engine"
    DOCKER_HOST=$MAIN_ENGINE docker save "${IMAGES[@]}" | dk load -q >/dev/null
  fi
  log "Docker $(dk version --format '{{.Server.Version}} (API {{.Server.APIVersion}}, minimum {{.Server.MinAPIVersion}})'),"\
" cgroup v$(dk info --format '{{.CgroupVersion}} ({{.CgroupDriver}})'), pid $(engine_pid)"
  cli_wrapper
  trap - EXIT
  echo "DOCKER_HOST=unix://$SOCK"
}

cli_wrapper() {
  mkdir -p "$RUN/bin"
  printf '#!/bin/sh\nexec %s --library-path %s %s "$@"\n' "$ROOTFS/usr/lib64/ld-linux-x86-64.so.2" \
    "$ROOTFS/usr/lib/x86_64-linux-gnu" "$ROOTFS/usr/bin/docker" >"$RUN/bin/docker"
  chmod +x "$RUN/bin/docker"
  log "its docker CLI: $RUN/bin/docker ($("$RUN/bin/docker" version --format '{{.Client.Version}}' 2>/dev/null))"
}

# Everything still in the engine's network namespace: dockerd first (it stops containerd and its
# containers), then any process it left.
stop_quietly() {
  local pid
  if pid=$(engine_pid); then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      [ -d "/proc/$pid" ] || break
      sleep 0.5
    done
    [ -d "/proc/$pid" ] && kill -KILL "$pid"
  fi
  if ip netns list | grep -qw "$NETNS"; then
    local left
    left=$(ip netns pids "$NETNS" 2>/dev/null || true)
    if [ -n "$left" ]; then
      # shellcheck disable=SC2086
      kill -KILL $left 2>/dev/null || true
      sleep 0.5
    fi
    ip netns del "$NETNS"
  fi
  ip link del "$HOST_VETH" 2>/dev/null || true
  rm -f "$PIDFILE" "$SOCK"
  rm -rf "$RUN/bin"
}

stop() {
  stop_quietly
  log "stopped"
}

status() {
  if pid=$(engine_pid); then
    log "running, pid $pid: $(dk version --format 'Docker {{.Server.Version}}' 2>/dev/null || echo 'not answering')"
    echo "DOCKER_HOST=unix://$SOCK"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  start) start "${2:-v1}" ;;
  build) build_rootfs ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start [v1|v2] | stop | status | build" ;;
esac
