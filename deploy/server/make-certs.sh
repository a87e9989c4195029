#!/usr/bin/env bash
# A private certificate authority and the broker's certificate, with openssl; or a given CA.
#
#   make-certs.sh --out DIR --host broker.airport.example [--ip 10.20.0.5]... [--days 825]
#                 [--ca-cert CA.pem --ca-key CA.key]
#
# Writes DIR/ca.pem (give it to every device: [bus] ca_file), DIR/ca.key (0600; keep it off the broker
# if you can: it is only needed to sign the next broker certificate), DIR/broker.pem and DIR/broker.key
# (0600) for `central broker-config --tls-cert/--tls-key`. Run again: the CA is kept and the broker
# certificate is made again only when it is missing, expires within 30 days, or names other hosts.
set -euo pipefail

say() { echo "make-certs.sh: $*"; }
die() {
    echo "make-certs.sh: $*" >&2
    exit 1
}

OUT=""
HOST=""
IPS=()
DAYS=825 # the longest lifetime Apple's and Chrome's TLS stacks accept for a server certificate
CA_CERT=""
CA_KEY=""
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2 && shift ;;
    --host) HOST=$2 && shift ;;
    --ip) IPS+=("$2") && shift ;;
    --days) DAYS=$2 && shift ;;
    --ca-cert) CA_CERT=$2 && shift ;;
    --ca-key) CA_KEY=$2 && shift ;;
    -h | --help) sed -n '2,11p' "$0" && exit 0 ;;
    *) die "unknown option $1" ;;
    esac
    shift
done
[ -n "$OUT" ] || die "--out DIR is required"
[[ $HOST =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$ ]] || die "--host must be the broker's DNS name, not '$HOST'"
[[ $DAYS =~ ^[1-9][0-9]*$ ]] || die "--days must be a whole number"
for ip in "${IPS[@]}"; do
    [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9A-Fa-f:]+$ ]] || die "--ip '$ip' is not an IP address"
done
if [ -n "$CA_CERT$CA_KEY" ] && { [ ! -r "$CA_CERT" ] || [ ! -r "$CA_KEY" ]; }; then
    die "--ca-cert and --ca-key go together and must both be readable"
fi
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"

umask 077
mkdir -p "$OUT"
if [ -n "$CA_CERT" ]; then
    cp "$CA_CERT" "$OUT/ca.pem" && cp "$CA_KEY" "$OUT/ca.key"
    say "using the given CA $CA_CERT"
elif [ ! -s "$OUT/ca.pem" ] || [ ! -s "$OUT/ca.key" ]; then
    say "making a private CA in $OUT/ca.pem"
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
        -subj "/CN=Airport devices CA" -keyout "$OUT/ca.key" -out "$OUT/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
else
    say "keeping the CA in $OUT/ca.pem"
fi
chmod 0644 "$OUT/ca.pem"

san="DNS:$HOST"
for ip in "${IPS[@]}"; do san="$san,IP:$ip"; done

current_san() {
    openssl x509 -in "$OUT/broker.pem" -noout -ext subjectAltName 2>/dev/null |
        sed -n '2p' | tr -d ' ' | sed 's/IPAddress:/IP:/g'
}
if [ -s "$OUT/broker.pem" ] && [ -s "$OUT/broker.key" ] &&
    openssl x509 -in "$OUT/broker.pem" -noout -checkend $((30 * 86400)) >/dev/null &&
    openssl verify -CAfile "$OUT/ca.pem" "$OUT/broker.pem" >/dev/null 2>&1 &&
    [ "$(current_san)" = "$san" ]; then
    say "keeping the broker certificate $OUT/broker.pem ($san)"
    exit 0
fi

say "making the broker certificate for $san"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -subj "/CN=$HOST" \
    -keyout "$OUT/broker.key" -out "$OUT/broker.csr" 2>/dev/null
openssl x509 -req -in "$OUT/broker.csr" -CA "$OUT/ca.pem" -CAkey "$OUT/ca.key" -CAcreateserial \
    -days "$DAYS" -sha256 -out "$OUT/broker.pem" \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san") 2>/dev/null
rm -f "$OUT/broker.csr"
chmod 0600 "$OUT/broker.key" "$OUT/ca.key"
chmod 0644 "$OUT/broker.pem"
say "done: devices get $OUT/ca.pem; the broker gets broker.pem and broker.key"
