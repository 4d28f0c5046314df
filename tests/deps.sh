#!/bin/sh
# Install, non-interactively, the Debian packages that building and testing
# tapflow need, and only those that are missing.
set -e
PKGS="build-essential clang libclang-rt-14-dev pkg-config libpcap-dev
libnet1-dev libjansson-dev libxxhash-dev check tshark nfdump pmacct
libfixbuf-tools softflowd jq mandoc iproute2 tcpreplay time python3"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: need root to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
