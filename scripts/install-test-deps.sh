#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: Chromium for the end-to-end tests,
# OpenSSH, iproute2, curl and jq for the lab-in-a-box, openssl for the agent's test certificates,
# Slurm (slurm-wlm) as the scheduler benchmark's peer, and PyTorch (python3-torch) for the
# lab's two-host job. Skips what is already installed.
set -euo pipefail
packages=(chromium openssh-server openssh-client iproute2 procps curl jq openssl slurm-wlm python3-torch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies present: ${packages[*]}"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: installing ${missing[*]} needs root; run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
