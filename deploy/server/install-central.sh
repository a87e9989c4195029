#!/usr/bin/env bash
# Install (or re-install) central on a Debian 12 server; safe to run again. See docs/deploy.md.
#
#   sudo deploy/server/install-central.sh [--root DIR] [--no-pip] [--source PATH]
#
# A system user 'airport-central', the app in /opt/airport/versions/<version> ('current' points at the
# running one; deploy/pi/update.sh --program central is not offered: central is updated by hand with
# the same layout), settings in /etc/airport/central.toml (made once, with a generated broker password
# for central's own user), state in /var/lib/airport/central, and the airport-central unit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../pi/lib.sh
source "$HERE/../pi/lib.sh"

ROOT=""
SOURCE=$(cd "$HERE/../.." && pwd)
NO_PIP=0 # read by install_version (lib.sh)
EXTRA=central # the pip extra install_version installs
PYTHON=${PYTHON:-python3}
USER_NAME=airport-central
PACKAGES=(python3 python3-venv python3-pip mosquitto openssl ca-certificates)

while [ $# -gt 0 ]; do
    case $1 in
    --root) ROOT=${2%/} && shift ;;
    --source) SOURCE=$2 && shift ;;
    --no-pip) NO_PIP=1 ;;
    -h | --help) sed -n '2,10p' "$0" && exit 0 ;;
    *) die "unknown option $1" ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || die "run as root (sudo)"
[ -z "$ROOT" ] || ROOT=$(cd "$ROOT" && pwd)

if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT$STATE_DIR"
    printf '%s\n' "${PACKAGES[@]}" >"$ROOT$STATE_DIR/packages.txt"
    say "target root: not installing packages: ${PACKAGES[*]}"
else
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
fi

prefix=()
[ -z "$ROOT" ] || prefix=(--prefix "$ROOT")
grep -q "^$USER_NAME:" "$ROOT/etc/passwd" ||
    useradd "${prefix[@]}" --system --user-group --no-create-home --home-dir "$STATE_DIR/central" \
        --shell /usr/sbin/nologin "$USER_NAME"
gid=$(awk -F: -v g="$USER_NAME" '$1 == g { print $3 }' "$ROOT/etc/group")
uid=$(awk -F: -v u="$USER_NAME" '$1 == u { print $3 }' "$ROOT/etc/passwd")

install -d -m 0755 "$ROOT$APP_DIR" "$ROOT$VERSIONS_DIR"
install -d -m 0755 "$ROOT$STATE_DIR"
install -d -m 0700 -o "$uid" -g "$gid" "$ROOT$STATE_DIR/central"
install -d -m 0750 -o root -g "$gid" "$ROOT$SETTINGS_DIR"

version=$(awk -F'"' '/^version = "/ { print $2; exit }' "$SOURCE/pyproject.toml")
check_version_name "$version"
install_version "$version" "$SOURCE"
[ -n "$(current_version)" ] || switch_to "$version"

settings=$ROOT$SETTINGS_DIR/central.toml
if [ ! -e "$settings" ]; then
    umask 027
    {
        echo "# Written once by deploy/server/install-central.sh; see docs/configuration.md and docs/security.md."
        echo "[app]"
        echo "state_dir = \"$STATE_DIR/central\""
        echo
        echo "[bus]"
        echo "# Mosquitto on this host: setup-broker.sh --local-port 1883 opens plaintext on 127.0.0.1 only"
        echo "url = \"mqtt://127.0.0.1:1883\""
        echo "username = \"central\""
        echo "password = \"$(openssl rand -hex 24)\""
        echo
        echo "[http]"
        echo "# behind the TLS reverse proxy on this host; set public_url and trusted_proxies (docs/security.md)"
        echo "host = \"127.0.0.1\""
        echo "port = 8080"
    } >"$settings.partial"
    chown "root:$gid" "$settings.partial"
    chmod 0640 "$settings.partial"
    mv "$settings.partial" "$settings"
    say "wrote $SETTINGS_DIR/central.toml with a new password for central's broker user"
fi

install -d -m 0755 "$ROOT/etc/systemd/system"
install -m 0644 "$HERE/systemd/airport-central.service" "$ROOT/etc/systemd/system/"
systemctl=(systemctl)
[ -z "$ROOT" ] || systemctl+=(--root "$ROOT")
"${systemctl[@]}" enable airport-central.service >/dev/null 2>&1 || die "systemctl could not enable airport-central.service"
[ -n "$ROOT" ] || systemctl daemon-reload
say "done: register devices (central device add), run setup-broker.sh, then: systemctl start airport-central"
