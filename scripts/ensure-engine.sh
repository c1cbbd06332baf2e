#!/usr/bin/env bash
# Make sure a Docker engine answers, and (with --swarm) that it is a Swarm manager.
# On Debian as root, installs and starts docker.io when no engine answers; elsewhere says what is missing.
set -euo pipefail

want_swarm=false
[ "${1:-}" = "--swarm" ] && want_swarm=true

log() { printf 'ensure-engine: %s\n' "$*" >&2; }

engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      log "no Docker engine answers and dockerd is not installed."
      log "install Docker Engine (https://docs.docker.com/engine/install/) and start it, then run this again."
      exit 1
    fi
    log "installing docker.io with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine answers; start dockerd (as root) or set DOCKER_HOST, then run this again."
    exit 1
  fi
  if ! pgrep -x containerd >/dev/null 2>&1; then
    log "starting containerd"
    nohup containerd >/var/log/containerd.log 2>&1 &
    sleep 1
  fi
  log "starting dockerd"
  nohup dockerd --containerd=/run/containerd/containerd.sock >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    engine_answers && return 0
    sleep 0.5
  done
  log "dockerd did not answer within 30 s; see /var/log/dockerd.log"
  exit 1
}

if ! command -v docker >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  else
    log "the docker command-line client is missing; install Docker, then run this again."
    exit 1
  fi
fi

engine_answers || start_engine

if $want_swarm; then
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != "active" ]; then
    log "initialising a one-node Swarm"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null 2>&1 \
      || docker swarm init >/dev/null
  fi
  if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != "true" ]; then
    log "this engine is in a Swarm but is not a manager; run on a manager node."
    exit 1
  fi
fi
log "engine ready ($(docker version --format '{{.Server.Version}}'))"
