#!/usr/bin/env bash
# Mosquitto with TLS for the airport's devices, on the central server. Run again after every
# `central device add/remove/password`: it regenerates passwd and ACL and reloads Mosquitto.
#
#   sudo setup-broker.sh --host broker.airport.example [--ip 10.20.0.5]... [--ca-cert F --ca-key F]
#                        [--central-config /etc/airport/central.toml] [--port 8883] [--local-port 1883] [--root DIR]
#
# 1. certificates: deploy/server/make-certs.sh into /etc/mosquitto/certs (a private CA, or the given one);
# 2. passwd, acl and mosquitto.conf from `central broker-config` into /etc/mosquitto/airport;
# 3. a drop-in that makes mosquitto.service run that file, and a reload (or a start).
# --root DIR writes everything under DIR and starts nothing; the generated mosquitto.conf then names
# the files by their paths on this machine (DIR/etc/...), so that a test can run it as it is.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { echo "setup-broker.sh: $*"; }
die() {
    echo "setup-broker.sh: $*" >&2
    exit 1
}

ROOT=""
HOST=""
CERT_ARGS=()
CENTRAL=${CENTRAL:-/opt/airport/current/bin/central}
CENTRAL_CONFIG=/etc/airport/central.toml
BROKER_ARGS=()
while [ $# -gt 0 ]; do
    case $1 in
    --host) HOST=$2 && shift ;;
    --ip | --ca-cert | --ca-key | --days) CERT_ARGS+=("$1" "$2") && shift ;;
    --central-config) CENTRAL_CONFIG=$2 && shift ;;
    --port | --local-port | --persistence-dir) BROKER_ARGS+=("$1" "$2") && shift ;;
    --root) ROOT=${2%/} && shift ;;
    -h | --help) sed -n '2,12p' "$0" && exit 0 ;;
    *) die "unknown option $1" ;;
    esac
    shift
done
[ -n "$HOST" ] || die "--host (the broker's name as devices reach it) is required"
[ "$(id -u)" = 0 ] || die "run as root: it writes under /etc/mosquitto"
[ -x "$CENTRAL" ] || die "central is not installed at $CENTRAL (deploy/server/install-central.sh first, or CENTRAL=path)"

CERTS=$ROOT/etc/mosquitto/certs
OUT=$ROOT/etc/mosquitto/airport
"$HERE/make-certs.sh" --out "$CERTS" --host "$HOST" "${CERT_ARGS[@]}"
config_args=()
[ ! -r "$CENTRAL_CONFIG" ] || config_args=(--config "$CENTRAL_CONFIG")
"$CENTRAL" "${config_args[@]}" broker-config --out "$OUT" "${BROKER_ARGS[@]}" \
    --tls-cert "$CERTS/broker.pem" --tls-key "$CERTS/broker.key"

# the broker runs as 'mosquitto' and must read its key and the password file; nobody else may
if grep -q '^mosquitto:' "$ROOT/etc/passwd" 2>/dev/null; then
    chown root:mosquitto "$CERTS/broker.key" "$OUT/passwd" "$OUT/acl"
    chmod 0640 "$CERTS/broker.key" "$OUT/passwd" "$OUT/acl"
else
    say "warning: no 'mosquitto' user here: install the mosquitto package, then run this again"
fi

install -d -m 0755 "$ROOT/etc/systemd/system/mosquitto.service.d"
install -m 0644 "$HERE/systemd/mosquitto-airport.conf" "$ROOT/etc/systemd/system/mosquitto.service.d/airport.conf"
if [ -z "$ROOT" ]; then
    systemctl daemon-reload
    if systemctl is-active --quiet mosquitto.service; then
        systemctl reload-or-restart mosquitto.service
    else
        systemctl enable --now mosquitto.service
    fi
    say "Mosquitto runs /etc/mosquitto/airport/mosquitto.conf; devices get /etc/mosquitto/certs/ca.pem"
fi
