#!/usr/bin/env bash
# Install (or re-install) the kiosk or signage app on Raspberry Pi OS Bookworm 64-bit or Debian 12.
# Safe to run again: what is already there is kept, what is missing is added. See docs/deploy.md.
#
#   sudo deploy/pi/install.sh [--program kiosk|signage] [--model pi4|pi5|other] [--enrol-file FILE]
#                             [--root DIR] [--no-pip] [--source PATH]
#
# --root DIR writes everything under DIR instead of / (users with useradd --prefix, units enabled with
# systemctl --root) and lists the system packages instead of installing them: for tests and images.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$HERE/lib.sh"

ROOT=""
PROGRAM=kiosk
MODEL=auto
ENROL_FILE=""
SOURCE=$(cd "$HERE/../.." && pwd)
NO_PIP=0 # read by install_version (lib.sh)
PYTHON=${PYTHON:-python3}
ARCH=${AIRPORT_ARCH:-$(uname -m)}
# PySide6-Essentials' aarch64 wheels are built on a newer distribution than their x86_64 ones and are
# tagged for a newer glibc; pip then finds no wheel and tries (and fails) to build Qt from source.
# 2.36 is Debian 12 / Raspberry Pi OS Bookworm; raise it when a pinned release needs more.
MIN_GLIBC_AARCH64=${AIRPORT_MIN_GLIBC_AARCH64:-2.36}
BOOT_ENROL_FILES=(/boot/firmware/airport-enrol.conf /boot/airport-enrol.conf)

# Debian packages the app needs at run time; cage and its helpers for the display session.
PACKAGES=(
    python3 python3-venv python3-pip
    fonts-noto-cjk           # Chinese on every screen; Qt draws tofu without it
    cage wlr-randr           # the Wayland kiosk compositor on tty1, and screen on/off for the schedule
    libegl1 libgles2 libgbm1 libxkbcommon0 libfontconfig1 libdbus-1-3  # what PySide6's wheels link to
    libgl1 libglib2.0-0      # OpenCV's wheel
    v4l-utils                # v4l2-ctl: which cameras and encoders the board has
    openssl ca-certificates
)

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --root) ROOT=${2%/} && shift ;;
    --program) PROGRAM=$2 && shift ;;
    --model) MODEL=$2 && shift ;;
    --enrol-file) ENROL_FILE=$2 && shift ;;
    --source) SOURCE=$2 && shift ;;
    --no-pip) NO_PIP=1 ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown option $1" ;;
    esac
    shift
done

case $PROGRAM in kiosk | signage) ;; *) die "--program must be kiosk or signage, not '$PROGRAM'" ;; esac
[ "$(id -u)" = 0 ] || die "run as root (sudo): it adds a user, units and files under /etc"
if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || die "--root $ROOT is not a directory"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=""
fi

check_system() {
    local os_release=$ROOT/etc/os-release id="" version_id=""
    if [ -r "$os_release" ]; then
        id=$(sed -n 's/^ID=//p' "$os_release" | tr -d '"')
        version_id=$(sed -n 's/^VERSION_ID=//p' "$os_release" | tr -d '"')
    fi
    case "$id:$version_id" in
    debian:12 | raspbian:12 | debian:13 | raspbian:13) ;;
    *) say "warning: made for Debian 12 / Raspberry Pi OS Bookworm; this is '${id:-unknown} ${version_id:-?}'" ;;
    esac
    if [ "$ARCH" = aarch64 ]; then
        local glibc
        glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/^glibc //') || glibc=""
        if [ -z "$glibc" ] || ! version_at_least "$glibc" "$MIN_GLIBC_AARCH64"; then
            die "glibc ${glibc:-unknown} on aarch64: PySide6's aarch64 wheels need glibc $MIN_GLIBC_AARCH64 or newer. " \
                "Use Raspberry Pi OS Bookworm 64-bit or Debian 12 (or newer); a 32-bit (armhf) system has no wheels at all. " \
                "Nothing was changed."
        fi
    elif [ "$ARCH" != x86_64 ]; then
        die "architecture $ARCH: PySide6 has wheels for aarch64 and x86_64 only (a 32-bit Raspberry Pi OS is armv7l: install the 64-bit one)"
    fi
}

version_at_least() { # $1 >= $2, both dotted numbers
    printf '%s\n%s\n' "$2" "$1" | sort -V -C
}

install_packages() {
    local wanted=("${PACKAGES[@]}")
    if [ -n "$ROOT" ]; then
        mkdir -p "$ROOT$STATE_DIR"
        printf '%s\n' "${wanted[@]}" >"$ROOT$STATE_DIR/packages.txt"
        say "target root: not installing packages; the list is in $STATE_DIR/packages.txt: ${wanted[*]}"
        return 0
    fi
    say "installing system packages: ${wanted[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${wanted[@]}"
}

add_user() {
    local prefix=()
    [ -z "$ROOT" ] || prefix=(--prefix "$ROOT")
    local group
    for group in video dialout render input; do
        grep -q "^$group:" "$ROOT/etc/group" || groupadd "${prefix[@]}" --system "$group"
    done
    if grep -q "^$KIOSK_USER:" "$ROOT/etc/passwd"; then
        usermod "${prefix[@]}" --append --groups video,dialout,render,input "$KIOSK_USER"
    else
        say "adding the system user $KIOSK_USER"
        useradd "${prefix[@]}" --system --user-group --no-create-home --home-dir "$STATE_DIR" \
            --shell /usr/sbin/nologin --groups video,dialout,render,input "$KIOSK_USER"
    fi
}

directories() {
    install -d -m 0755 -o root -g root "$ROOT$APP_DIR" "$ROOT$VERSIONS_DIR"
    # settings hold the broker password: root writes them, the app's group reads them, nobody else
    install -d -m 0750 -o root -g "$(group_id)" "$ROOT$SETTINGS_DIR"
    # the app's own state (outbox, print jobs, cached boards); systemd's StateDirectory= keeps it so too
    install -d -m 0700 -o "$(user_id)" -g "$(group_id)" "$ROOT$STATE_DIR" "$ROOT$STATE_DIR/$PROGRAM"
}

# ids from the target's own files: with --root the user exists there, not on this machine
user_id() { awk -F: -v u="$KIOSK_USER" '$1 == u { print $3 }' "$ROOT/etc/passwd"; }
group_id() { awk -F: -v g="$KIOSK_USER" '$1 == g { print $3 }' "$ROOT/etc/group"; }

pi_model() {
    local model_file=$ROOT/proc/device-tree/model model=""
    [ -r "$model_file" ] && model=$(tr -d '\0' <"$model_file")
    case $model in
    *"Raspberry Pi 5"*) echo pi5 ;;
    *"Raspberry Pi 4"* | *"Compute Module 4"*) echo pi4 ;; # the Pi 400 too
    *) echo other ;;
    esac
}

# Enrolment: device id, location, broker and password, from the boot partition's file or asked once.
# The device must already be registered on central (`central device add`, see docs/deploy.md).
enrol() {
    local settings=$ROOT$SETTINGS_DIR/$PROGRAM.toml
    if [ -e "$settings" ]; then
        say "$SETTINGS_DIR/$PROGRAM.toml exists: enrolment kept (remove the file to enrol again)"
        return 0
    fi
    local file=$ENROL_FILE candidate
    if [ -z "$file" ]; then
        for candidate in "${BOOT_ENROL_FILES[@]}"; do
            [ -r "$ROOT$candidate" ] && file=$ROOT$candidate && break
        done
    fi
    local device_id="" location="" broker_url="" password="" site="HAK" ca_file="" printer=""
    if [ -n "$file" ]; then
        [ -r "$file" ] || die "cannot read the enrolment file $file"
        say "enrolment from $file"
        local key value line_no=0
        while IFS= read -r line || [ -n "$line" ]; do
            line_no=$((line_no + 1))
            line=${line%$'\r'} # the boot partition is often edited on Windows: CRLF line ends
            [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
            [[ $line == *=* ]] || die "$file line $line_no: expected key=value, got '$line'"
            key=${line%%=*} && value=${line#*=}
            key=${key//[[:space:]]/}
            value=${value#"${value%%[![:space:]]*}"} # spaces around the value are not part of it
            value=${value%"${value##*[![:space:]]}"}
            case $key in
            device_id) device_id=$value ;;
            location) location=$value ;;
            broker_url) broker_url=$value ;;
            password) password=$value ;;
            site) site=$value ;;
            ca_file) ca_file=$value ;;
            printer) printer=$value ;;
            *) die "$file line $line_no: unknown key '$key' (device_id, location, broker_url, password, site, ca_file, printer)" ;;
            esac
        done <"$file"
    else
        [ -t 0 ] || die "no enrolment file (${BOOT_ENROL_FILES[*]}) and no terminal to ask on"
        read -r -p "device id (as registered on central, e.g. kiosk-t1-b-01): " device_id
        read -r -p "location (e.g. T1 Departures, Hall B): " location
        read -r -p "broker (e.g. mqtts://broker.airport.example:8883): " broker_url
        read -r -p "airport IATA code [HAK]: " site && site=${site:-HAK}
        read -r -p "broker CA certificate file (empty: system CAs): " ca_file
        read -r -p "printer (yes/no) [yes]: " printer
        read -r -s -p "broker password (shown once by 'central device add'): " password && echo
    fi
    local name
    for name in device_id location broker_url password site ca_file printer; do
        refuse_control_characters "${name//_/ }" "${!name}"
    done
    [[ $device_id =~ ^[a-z0-9-]{1,64}$ ]] || die "device id '$device_id' must be 1-64 of a-z, 0-9 and '-'"
    [[ $broker_url =~ ^mqtts?://[^[:space:]/]+:[0-9]+$ ]] || die "broker '$broker_url' must be mqtts://host:port (or mqtt://)"
    [[ $site =~ ^[A-Z]{3}$ ]] || die "airport code '$site' must be three capital letters"
    [ -n "$password" ] || die "no broker password given"
    [ -n "$location" ] || die "no location given: staff find a device by it"
    local printer_enabled
    case ${printer:-yes} in
    yes | true) printer_enabled=true ;;
    no | false) printer_enabled=false ;;
    *) die "printer must be yes or no, not '$printer'" ;;
    esac
    local ca_line=""
    if [ -n "$ca_file" ]; then
        [ -r "$ca_file" ] || [ -r "$ROOT$ca_file" ] || die "CA certificate $ca_file not found"
        [ -r "$ROOT$ca_file" ] && ca_file=$ROOT$ca_file
        install -m 0644 "$ca_file" "$ROOT$SETTINGS_DIR/ca.pem"
        ca_line="ca_file = $(toml_string "$SETTINGS_DIR/ca.pem")"
    fi
    local model=$MODEL
    [ "$model" != auto ] || model=$(pi_model)
    local video=$HERE/settings/video-$model.toml
    [ -r "$video" ] || die "no call settings for model '$model' (pi4, pi5 or other)"

    local partial=$settings.partial
    umask 027
    {
        echo "# Written by deploy/pi/install.sh at enrolment; see docs/configuration.md for every key."
        echo "[app]"
        echo "state_dir = $(toml_string "$STATE_DIR/$PROGRAM")"
        echo
        echo "[bus]"
        echo "url = $(toml_string "$broker_url")"
        echo "site = $(toml_string "$site")"
        echo "device_id = $(toml_string "$device_id")"
        echo "location = $(toml_string "$location")"
        echo "username = $(toml_string "$device_id")"
        echo "password = $(toml_string "$password")"
        [ -z "$ca_line" ] || echo "$ca_line"
        if [ "$PROGRAM" = kiosk ]; then
            echo
            echo "[printer]"
            echo "enabled = $printer_enabled"
            echo "port = \"/dev/airport-printer\"  # the udev name (deploy/pi/udev), whatever USB port it is in"
            echo
            echo "# call picture for this board ($model), from deploy/pi/settings/video-$model.toml"
            cat "$video"
        fi
    } >"$partial"
    chown "root:$(group_id)" "$partial"
    chmod 0640 "$partial"
    mv "$partial" "$settings"
    say "enrolled $device_id at '$location'; settings in $SETTINGS_DIR/$PROGRAM.toml"
    if [ -n "$file" ] && [ -z "$ENROL_FILE" ]; then
        # the boot partition is FAT, readable by anyone holding the card: the password does not stay there
        rm -f "$file"
        say "removed $file from the boot partition"
    fi
}

install_app() {
    local version
    version=$(awk -F'"' '/^version = "/ { print $2; exit }' "$SOURCE/pyproject.toml" 2>/dev/null) || version=""
    [ -n "$version" ] || die "cannot read the version from $SOURCE/pyproject.toml"
    check_version_name "$version"
    install_version "$version" "$SOURCE"
    if [ -z "$(current_version)" ]; then
        switch_to "$version"
        say "running version is now $version"
    else
        say "running version stays $(current_version) (use deploy/pi/update.sh to change it)"
    fi
    install -m 0755 "$HERE/update.sh" "$ROOT$APP_DIR/update.sh"
    install -m 0644 "$HERE/lib.sh" "$ROOT$APP_DIR/lib.sh"
    install -m 0755 "$HERE/session.sh" "$ROOT$APP_DIR/session.sh"
    install -d -m 0755 "$ROOT$APP_DIR/settings"
    install -m 0644 "$HERE"/settings/video-*.toml "$ROOT$APP_DIR/settings/"
}

# The display's power follows the signage schedule: two timers at [schedule] off_at and on_at, written
# from signage.toml on every run (so a changed schedule takes effect by running install.sh again) and
# removed when the schedule is empty.
screen_timers() {
    local units=$ROOT/etc/systemd/system times=""
    install -m 0644 "$HERE/systemd/airport-screen@.service" "$units/"
    install -m 0755 "$HERE/screen-power.sh" "$ROOT$APP_DIR/screen-power.sh"
    if [ "$PROGRAM" = signage ] && [ -r "$ROOT$SETTINGS_DIR/signage.toml" ]; then
        times=$("$PYTHON" -c 'import sys, tomllib
schedule = tomllib.load(open(sys.argv[1], "rb")).get("schedule", {})
print(schedule.get("off_at", ""), schedule.get("on_at", ""))' "$ROOT$SETTINGS_DIR/signage.toml") ||
            die "cannot read [schedule] from $SETTINGS_DIR/signage.toml"
    fi
    local off_at on_at state at
    read -r off_at on_at <<<"$times"
    for state in off on; do
        if [ "$state" = off ]; then at=$off_at; else at=$on_at; fi
        local timer=$units/airport-screen-$state.timer
        if [ -z "$off_at" ] || [ -z "$on_at" ]; then
            rm -f "$timer" "$units/timers.target.wants/airport-screen-$state.timer"
            continue
        fi
        [[ $at =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]] || die "[schedule] time '$at' must be HH:MM"
        {
            echo "# Written by deploy/pi/install.sh from [schedule] in $SETTINGS_DIR/signage.toml."
            echo "[Unit]"
            echo "Description=Airport display $state at $at (signage schedule)"
            echo
            echo "[Timer]"
            echo "OnCalendar=*-*-* $at:00"
            echo "Unit=airport-screen@$state.service"
            echo
            echo "[Install]"
            echo "WantedBy=timers.target"
        } >"$timer"
        chmod 0644 "$timer"
    done
    if [ -n "$off_at" ] && [ -n "$on_at" ]; then
        "${SYSTEMCTL[@]}" enable airport-screen-off.timer airport-screen-on.timer >/dev/null 2>&1 ||
            die "systemctl could not enable the screen timers"
        say "the display switches off at $off_at and on at $on_at"
    fi
}

system_files() {
    install -d -m 0755 "$ROOT/etc/systemd/system" "$ROOT/etc/systemd/journald.conf.d" \
        "$ROOT/etc/systemd/system.conf.d" "$ROOT/etc/udev/rules.d"
    install -m 0644 "$HERE/systemd/airport-$PROGRAM.service" "$ROOT/etc/systemd/system/"
    install -m 0644 "$HERE/systemd/journald-airport.conf" "$ROOT/etc/systemd/journald.conf.d/airport.conf"
    install -m 0644 "$HERE/systemd/watchdog-airport.conf" "$ROOT/etc/systemd/system.conf.d/airport-watchdog.conf"
    install -m 0644 "$HERE/udev/70-airport-devices.rules" "$ROOT/etc/udev/rules.d/"
    "${SYSTEMCTL[@]}" enable "airport-$PROGRAM.service" >/dev/null 2>&1 ||
        die "systemctl could not enable airport-$PROGRAM.service"
    # in a chroot or an image build nothing runs yet: the units and rules apply from the first boot
    if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        udevadm control --reload && udevadm trigger --subsystem-match=tty --subsystem-match=video4linux
    fi
}

SYSTEMCTL=(systemctl)
[ -z "$ROOT" ] || SYSTEMCTL+=(--root "$ROOT")

check_system
install_packages
add_user
directories
install_app
enrol
system_files
screen_timers
say "done: $PROGRAM installed; it starts on tty1 at boot ('systemctl start airport-$PROGRAM' starts it now)"
