#!/usr/bin/env bash
# Build a Debian 12 arm64 root with debootstrap, run install.sh in it under qemu-user-static, and start
# the kiosk offscreen there to its first painted screen; print how long each step took. Slow (tens of
# minutes, the arm64 code is emulated) and needs the network: run it by hand, never in the test run.
#
#   sudo deploy/pi/try-arm64-root.sh [DIR]        (default /var/tmp/airport-arm64-root; kept afterwards)
#
# Needs: debootstrap, qemu-user-static (apt-get install debootstrap qemu-user-static) and a kernel
# that lets it register the aarch64 interpreter with binfmt_misc (a privileged container does).
set -euo pipefail

DIR=${1:-/var/tmp/airport-arm64-root}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
say() { echo "try-arm64-root: $*"; }
die() {
    echo "try-arm64-root: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root"
command -v debootstrap >/dev/null || die "apt-get install debootstrap"
[ -x /usr/bin/qemu-aarch64-static ] || die "apt-get install qemu-user-static"

# the kernel runs arm64 programs through qemu once the interpreter is registered ('F': opened now, so
# the chroot does not need its own copy)
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
    mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    echo ":qemu-aarch64:M::$magic:$mask:/usr/bin/qemu-aarch64-static:F" >/proc/sys/fs/binfmt_misc/register
fi

timings=()
step() { # step NAME COMMAND...: run it, note how long it took
    local name=$1 started=$SECONDS
    shift
    say "== $name"
    if "$@"; then
        timings+=("$(printf '%-42s %6d s' "$name" $((SECONDS - started)))")
    else
        timings+=("$(printf '%-42s FAILED after %d s' "$name" $((SECONDS - started)))")
        report
        die "$name failed (see above)"
    fi
}
report() {
    say "timings:"
    printf '  %s\n' "${timings[@]}"
}

mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

bootstrap() {
    if [ -x "$DIR/usr/bin/python3" ]; then
        say "$DIR already has a root; kept"
        return 0
    fi
    debootstrap --arch=arm64 --variant=minbase \
        --include=ca-certificates,python3,python3-venv,passwd,systemd,procps bookworm "$DIR" "$MIRROR"
}

prepare() {
    cp /etc/resolv.conf "$DIR/etc/resolv.conf"
    local fs
    for fs in proc sys dev dev/pts; do
        mount --bind "/$fs" "$DIR/$fs"
        mounted+=("$DIR/$fs")
    done
    rm -rf "$DIR/src" && mkdir -p "$DIR/src"
    tar -C "$REPO" --exclude=.git --exclude=.venv --exclude='*.pyc' -cf - . | tar -C "$DIR/src" -xf -
    # the chroot trusts what this machine trusts (a TLS-inspecting proxy's CA, say) for pip's downloads
    cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$DIR/etc/ssl/certs/host-ca-bundle.crt"
    mkdir -p "$DIR/boot/firmware"
    printf '%s\n' "device_id=kiosk-arm64-test" "location=Emulated bench" \
        "broker_url=mqtts://broker.invalid:8883" "password=not-a-real-one" "printer=no" \
        >"$DIR/boot/firmware/airport-enrol.conf"
    in_root apt-get update -qq
}

# a clean environment inside: nothing of this machine's (its PIP_* and SSL_* paths do not exist there)
IN_ROOT=(chroot "$DIR" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive PIP_CERT=/etc/ssl/certs/host-ca-bundle.crt
    SSL_CERT_FILE=/etc/ssl/certs/host-ca-bundle.crt)
in_root() { "${IN_ROOT[@]}" "$@"; }

install_in_root() {
    say "inside: $(in_root uname -m), $(in_root getconf GNU_LIBC_VERSION)"
    in_root /src/deploy/pi/install.sh --model pi4
    say "pip chose PySide6 $(in_root /opt/airport/current/bin/python -c 'import PySide6; print(PySide6.__version__)')"
}

first_paint() {
    # not through the function: $! must be the program itself (chroot, env and timeout each exec the
    # next), so that the kill below reaches the kiosk and it ends before the mounts go
    "${IN_ROOT[@]}" QT_QPA_PLATFORM=offscreen KIOSK_UI__FULLSCREEN=false KIOSK_BUS__URL=mqtt://127.0.0.1:9 \
        timeout 900 /opt/airport/current/bin/kiosk --config /etc/airport/kiosk.toml >"$DIR/kiosk.out" 2>&1 &
    local pid=$! started=$SECONDS
    while ! grep -q "home screen painted" "$DIR/kiosk.out"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$DIR/kiosk.out" >&2
            return 1
        fi
        sleep 1
    done
    say "$(grep "home screen painted" "$DIR/kiosk.out") ($((SECONDS - started)) s wall clock under qemu)"
    kill "$pid" 2>/dev/null || true
    wait "$pid" || true
    if grep -q "Traceback" "$DIR/kiosk.out"; then
        cat "$DIR/kiosk.out" >&2
        return 1
    fi
    say "and it shut down cleanly on SIGTERM"
}

step "debootstrap bookworm arm64 (minbase)" bootstrap
step "prepare the chroot, copy the source" prepare
step "install.sh --model pi4 (apt, venv, pip)" install_in_root
step "kiosk offscreen to its first paint" first_paint
report
