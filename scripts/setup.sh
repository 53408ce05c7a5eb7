#!/usr/bin/env bash
# Install what building and testing calzion needs, from Debian's packages, when
# it is missing. Needs root (or sudo). Safe to run again: it installs nothing
# that is already there.
set -euo pipefail

packages=(
  # build
  cmake g++ ninja-build pkg-config
  libcli11-dev libyaml-cpp-dev libssh-dev libfmt-dev nlohmann-json3-dev
  libboost-dev libboost-filesystem-dev doctest-dev
  # real test hosts: a Docker engine and an SSH server per host
  docker.io openssh-server openssh-client busybox-static iproute2 procps util-linux git
  # end-to-end tests read calzion's --json output with jq
  jq
  # the router's end-to-end test builds its image from this machine's nginx
  nginx
  # the notify test: examples/notify/ posts with curl to a stand-in API in python3
  python3 curl
  # the swarm tests push images to a registry of their own (tests/e2e/harness/swarm.sh)
  docker-registry
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian starts the services it installs: a system dockerd and nginx. calzion's
# test hosts run engines of their own, and the router image only copies nginx's
# files, so nothing may start (and keep running) behind the tests' backs.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
