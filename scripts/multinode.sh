#!/usr/bin/env bash
# A three-node Docker Swarm on this one machine, for the soak tests (tests/soak).
#
#   scripts/multinode.sh up        create the nodes (idempotent) and form the Swarm
#   scripts/multinode.sh nodes     create the nodes only: three engines, no images loaded, not in a Swarm
#   scripts/multinode.sh down      remove everything "up" made
#   scripts/multinode.sh status    show the nodes, their daemons and the Swarm
#   scripts/multinode.sh stop N    SIGTERM node N's dockerd and wait for it to exit
#   scripts/multinode.sh start N   start node N's dockerd again (it rejoins the Swarm by itself)
#
# Each node is a network namespace pl-nodeN (10.213.0.1N/24) joined by a veth to the host bridge
# podlike-br (10.213.0.1/24), with its own dockerd:
#   socket      unix:///run/docker-pl-nodeN.sock         (use: docker -H unix:///run/docker-pl-nodeN.sock ...)
#   data-root   /var/lib/podlike-nodes/N
#   exec-root   /run/podlike-nodes/N   pidfile /run/podlike-nodes/N.pid
#   log         /tmp/podlike-nodes/nodeN.log
# The daemon also runs in a mount namespace of its own (a slave of the host's, so /sys/fs/cgroup and
# everything else stays visible) where /run/podlike-node is node N's own directory and holds a second
# socket of that daemon: a pod mounting /run/podlike-node/docker.sock talks to the engine of the node
# it runs on, whatever node Swarm puts it on. On the host /run/podlike-node stays empty, so a pod run
# by mistake on the main engine finds no socket there rather than the main engine's.
# The main engine (/var/run/docker.sock) is left alone.
set -euo pipefail

NODES=(1 2 3)
BRIDGE=podlike-br
BRIDGE_ADDR=10.213.0.1/24
ADDR_POOL=10.214.0.0/16
DATA=/var/lib/podlike-nodes
EXEC=/run/podlike-nodes
LOGS=/tmp/podlike-nodes
NODE_SOCK_DIR=/run/podlike-node
IMAGES=(podlike/controller:latest podlike/busybox:latest)
FORWARD_RULE=(-i "$BRIDGE" -o "$BRIDGE" -m comment --comment podlike-multinode -j ACCEPT)

say() { printf '[multinode] %s\n' "$*"; }
node_addr() { echo "10.213.0.1$1"; }
sock() { echo "/run/docker-pl-node$1.sock"; }
dk() { local n=$1; shift; docker -H "unix://$(sock "$n")" "$@"; }
pidfile() { echo "$EXEC/$1.pid"; }

daemon_pid() {
  local f
  f=$(pidfile "$1")
  [[ -s $f ]] || return 1
  local pid
  pid=$(cat "$f")
  [[ -d /proc/$pid ]] && grep -q dockerd "/proc/$pid/comm" 2>/dev/null && echo "$pid"
}

daemon_up() { dk "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    say "bridge $BRIDGE $BRIDGE_ADDR"
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$BRIDGE_ADDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # With br_netfilter loaded and net.bridge.bridge-nf-call-iptables=1 (set for the main engine),
  # frames between two ports of the bridge go through the host's FORWARD chain, whose policy is
  # DROP: let node-to-node traffic through (this rule only, removed by "down").
  if ! iptables -C FORWARD "${FORWARD_RULE[@]}" 2>/dev/null; then
    say "iptables: accept forwarding within $BRIDGE"
    iptables -I FORWARD 1 "${FORWARD_RULE[@]}"
  fi
}

netns_up() {
  local n=$1 ns=pl-node$1 veth=pl-veth$1
  if ! ip netns list | grep -qw "$ns"; then
    say "node$n: network namespace $ns"
    ip netns add "$ns"
  fi
  if ! ip link show "$veth" >/dev/null 2>&1; then
    say "node$n: veth $veth <-> $ns:eth0 $(node_addr "$n")/24"
    ip netns exec "$ns" ip link del eth0 2>/dev/null || true
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$veth" master "$BRIDGE" up
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip addr replace "$(node_addr "$n")/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  # No default route: a pull from a registry fails at once instead of waiting for a timeout.
}

start_daemon() {
  local n=$1
  if daemon_pid "$n" >/dev/null; then
    say "node$n: dockerd already running (pid $(daemon_pid "$n"))"
  else
    mkdir -p "$DATA/$n" "$EXEC/$n/sock" "$LOGS" "$NODE_SOCK_DIR"
    rm -f "$(pidfile "$n")" "$(sock "$n")"
    say "node$n: starting dockerd (log $LOGS/node$n.log)"
    # nsenter keeps the host's mounts (unlike 'ip netns exec', which remounts /sys and hides the
    # cgroup hierarchies); unshare gives the daemon its own view of /run/podlike-node, and hides
    # the host's /run/containerd: dockerd 20.10 would otherwise share the system containerd (and
    # its "moby" namespace) with the main engine instead of starting a containerd of its own.
    DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid nsenter --net=/run/netns/pl-node"$n" \
      unshare --mount --uts --propagation slave -- sh -c '
        hostname "pl-node$0" && mount --bind "$1" "$2" &&
        mount -t tmpfs -o size=1m,mode=0711 podlike-node /run/containerd &&
        shift 2 && exec "$@"' "$n" "$EXEC/$n/sock" "$NODE_SOCK_DIR" \
      dockerd \
      --data-root "$DATA/$n" \
      --exec-root "$EXEC/$n" \
      -H "unix://$(sock "$n")" \
      -H "unix://$NODE_SOCK_DIR/docker.sock" \
      --pidfile "$(pidfile "$n")" \
      --bip "172.31.$((n * 10)).1/24" \
      --default-address-pool "base=172.31.$((n * 10 + 100)).0/24,size=28" \
      --cgroup-parent "/podlike-node$n" \
      --iptables=true \
      --log-level info \
      </dev/null >>"$LOGS/node$n.log" 2>&1 &
    disown || true
  fi
  local i
  for i in $(seq 1 120); do
    daemon_up "$n" && { say "node$n: dockerd answers on $(sock "$n")"; return 0; }
    sleep 0.5
  done
  say "node$n: dockerd did not come up; last log lines:"
  tail -n 30 "$LOGS/node$n.log" >&2 || true
  return 1
}

stop_daemon() {
  local n=$1 pid i
  if ! pid=$(daemon_pid "$n"); then
    say "node$n: dockerd not running"
    return 0
  fi
  say "node$n: SIGTERM dockerd (pid $pid)"
  kill -TERM "$pid"
  for i in $(seq 1 120); do
    [[ -d /proc/$pid ]] || { say "node$n: dockerd exited"; return 0; }
    sleep 0.5
  done
  say "node$n: dockerd still running after 60s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

load_images() {
  local n=$1 missing=()
  local image
  for image in "${IMAGES[@]}"; do
    local want have
    want=$(docker image inspect --format '{{.Id}}' "$image")
    have=$(dk "$n" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    [[ $want == "$have" ]] || missing+=("$image")
  done
  if ((${#missing[@]})); then
    say "node$n: loading ${missing[*]}"
    docker save "${missing[@]}" | dk "$n" load -q >/dev/null
  else
    say "node$n: images up to date"
  fi
}

swarm_up() {
  local state
  state=$(dk 1 info --format '{{.Swarm.LocalNodeState}}')
  if [[ $state != active ]]; then
    say "node1: swarm init --advertise-addr $(node_addr 1)"
    dk 1 swarm init --advertise-addr "$(node_addr 1)" --listen-addr "$(node_addr 1):2377" \
      --default-addr-pool "$ADDR_POOL" >/dev/null
  fi
  local token n
  token=$(dk 1 swarm join-token -q worker)
  for n in "${NODES[@]:1}"; do
    state=$(dk "$n" info --format '{{.Swarm.LocalNodeState}}')
    local i
    for i in $(seq 1 20); do
      [[ $state == pending ]] || break
      sleep 1
      state=$(dk "$n" info --format '{{.Swarm.LocalNodeState}}')
    done
    if [[ $state == active ]]; then
      say "node$n: already in the Swarm"
      continue
    fi
    if [[ $state != inactive ]]; then
      say "node$n: swarm state $state; leaving before joining again"
      dk "$n" swarm leave --force >/dev/null || true
    fi
    say "node$n: swarm join as worker"
    dk "$n" swarm join --token "$token" --advertise-addr "$(node_addr "$n")" \
      --listen-addr "$(node_addr "$n"):2377" "$(node_addr 1):2377" >/dev/null
  done
  local i
  for i in $(seq 1 60); do
    local ready
    ready=$(dk 1 node ls --format '{{.Status}}' | grep -c Ready || true)
    if ((ready == ${#NODES[@]})); then
      say "swarm: ${ready} nodes Ready"
      return 0
    fi
    sleep 1
  done
  say "swarm: not every node is Ready"
  dk 1 node ls >&2 || true
  return 1
}

up() {
  docker image inspect "${IMAGES[@]}" >/dev/null || {
    say "missing images on the main engine: run scripts/build-images.sh first"
    exit 1
  }
  mkdir -p "$LOGS" "$EXEC" "$DATA" "$NODE_SOCK_DIR"
  bridge_up
  local n
  for n in "${NODES[@]}"; do netns_up "$n"; done
  for n in "${NODES[@]}"; do start_daemon "$n"; done
  for n in "${NODES[@]}"; do load_images "$n"; done
  swarm_up
  status
}

nodes() {
  mkdir -p "$LOGS" "$EXEC" "$DATA" "$NODE_SOCK_DIR"
  bridge_up
  local n
  for n in "${NODES[@]}"; do netns_up "$n"; done
  for n in "${NODES[@]}"; do start_daemon "$n"; done
  status
}

down() {
  local n pid
  for n in "${NODES[@]}"; do
    if daemon_up "$n"; then
      # Leave nothing running: services first (manager), then every container, then the Swarm.
      if [[ $n == 1 ]]; then
        dk 1 service ls -q 2>/dev/null | xargs -r docker -H "unix://$(sock 1)" service rm >/dev/null 2>&1 || true
      fi
    fi
  done
  for n in "${NODES[@]}"; do
    if daemon_up "$n"; then
      dk "$n" ps -aq | xargs -r docker -H "unix://$(sock "$n")" rm -f >/dev/null 2>&1 || true
      dk "$n" swarm leave --force >/dev/null 2>&1 || true
    fi
    stop_daemon "$n"
  done
  for n in "${NODES[@]}"; do
    # Anything the node's containerd left behind (shims of containers) belongs to this node only.
    for pid in $(pgrep -f -- "$EXEC/$n/" 2>/dev/null || true); do
      say "node$n: killing left-over process $pid"
      kill -KILL "$pid" 2>/dev/null || true
    done
  done
  sleep 0.5
  for n in "${NODES[@]}"; do
    if ip netns list | grep -qw "pl-node$n"; then
      say "node$n: removing network namespace"
      ip link del "pl-veth$n" 2>/dev/null || true
      ip netns del "pl-node$n" || true
    fi
    # Mounts the daemon made are private to its own mount namespace, gone with it; clear any
    # that remain under its directories before removing them.
    grep -E " ($DATA/$n|$EXEC/$n)[/ ]" /proc/self/mounts | awk '{print $2}' | sort -r |
      xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "${DATA:?}/$n" "${EXEC:?}/$n" "$(pidfile "$n")" "$(sock "$n")"
    local cg
    for cg in /sys/fs/cgroup/*/podlike-node"$n"; do
      [[ -d $cg ]] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    say "removing bridge $BRIDGE"
    ip link del "$BRIDGE"
  fi
  while iptables -C FORWARD "${FORWARD_RULE[@]}" 2>/dev/null; do
    say "iptables: removing the $BRIDGE forwarding rule"
    iptables -D FORWARD "${FORWARD_RULE[@]}"
  done
  rmdir "$EXEC" "$DATA" "$NODE_SOCK_DIR" 2>/dev/null || true
  say "down"
}

status() {
  local n pid
  ip -br addr show "$BRIDGE" 2>/dev/null || say "bridge $BRIDGE: absent"
  for n in "${NODES[@]}"; do
    if pid=$(daemon_pid "$n"); then
      if daemon_up "$n"; then
        say "node$n: $(node_addr "$n") dockerd pid $pid, swarm $(dk "$n" info --format '{{.Swarm.LocalNodeState}}'), $(dk "$n" ps -q | wc -l) containers running"
      else
        say "node$n: dockerd pid $pid not answering"
      fi
    else
      say "node$n: dockerd not running$(ip netns list | grep -qw "pl-node$n" && echo ' (netns present)')"
    fi
  done
  if daemon_up 1 && [[ $(dk 1 info --format '{{.Swarm.ControlAvailable}}') == true ]]; then
    dk 1 node ls
  fi
}

[[ $(id -u) == 0 ]] || { say "must run as root"; exit 1; }
case "${1:-}" in
  up) up ;;
  nodes) nodes ;;
  down) down ;;
  status) status ;;
  stop) stop_daemon "${2:?node number}" ;;
  start) start_daemon "${2:?node number}" ;;
  *)
    echo "usage: $0 up|nodes|down|status|stop N|start N" >&2
    exit 2
    ;;
esac
