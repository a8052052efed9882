#!/usr/bin/env bash
# Installs the Debian 12 packages mekong needs to build, test, lint and fuzz,
# and nothing when they are all there already. Run as root (or with sudo).
set -euo pipefail

packages=(
    # build
    build-essential cmake pkg-config git
    libyajl-dev libssl-dev libxxhash-dev libpcap-dev zlib1g-dev
    liburcu-dev libidn2-dev libpsl-dev libhyperscan-dev
    # tests, lint, fuzzing
    libcmocka-dev jq clang clang-format clang-tidy cppcheck libclang-rt-14-dev
    iproute2 socat
    # benchmarks (bench/) and instruction counts
    valgrind time
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
