#!/usr/bin/env bash
# Update the app to a new version, and go back by itself when the new one does not come up.
#
#   sudo /opt/airport/update.sh [--program kiosk|signage] [--timeout S] [--settings FILE] VERSION SOURCE
#
# 1. installs SOURCE (a checkout or a wheel) into /opt/airport/versions/VERSION beside the running one;
# 2. keeps a copy of /etc/airport/PROGRAM.toml, and puts --settings FILE in its place if given;
# 3. switches the 'current' link and restarts the app;
# 4. waits up to --timeout seconds (default 120) for the app's ready file, which it writes together with
#    READY=1 after its first paint (device/systemd.py);
# 5. if it does not come: switches back, puts the old settings back, restarts the old version, and logs
#    why (the last lines of the app's own log) in /var/lib/airport/update.log and the journal.
#
# For tests and images: --root DIR (everything under DIR), --no-pip, --restart-cmd CMD (instead of
# systemctl restart) and --app-log FILE (instead of the unit's journal).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$HERE/lib.sh"

ROOT=""
PROGRAM=kiosk
TIMEOUT_S=120
NEW_SETTINGS=""
RESTART_CMD=""
APP_LOG=""
NO_PIP=0 # read by install_version (lib.sh)
PYTHON=${PYTHON:-python3}

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --root) ROOT=${2%/} && shift ;;
    --program) PROGRAM=$2 && shift ;;
    --timeout) TIMEOUT_S=$2 && shift ;;
    --settings) NEW_SETTINGS=$2 && shift ;;
    --restart-cmd) RESTART_CMD=$2 && shift ;;
    --app-log) APP_LOG=$2 && shift ;;
    --no-pip) NO_PIP=1 ;;
    -h | --help) usage && exit 0 ;;
    -*) usage >&2 && die "unknown option $1" ;;
    *) break ;;
    esac
    shift
done
[ $# = 2 ] || { usage >&2 && die "give the VERSION and the SOURCE to install"; }
VERSION=$1
SOURCE=$2
case $PROGRAM in kiosk | signage) ;; *) die "--program must be kiosk or signage, not '$PROGRAM'" ;; esac
if ! [[ $TIMEOUT_S =~ ^[1-9][0-9]*$ ]]; then die "--timeout must be a whole number of seconds"; fi
check_version_name "$VERSION"
[ -z "$NEW_SETTINGS" ] || [ -r "$NEW_SETTINGS" ] || die "cannot read the settings file $NEW_SETTINGS"
[ -z "$ROOT" ] || ROOT=$(cd "$ROOT" && pwd)

SETTINGS=$ROOT$SETTINGS_DIR/$PROGRAM.toml
READY_FILE=$ROOT$RUN_DIR/$PROGRAM.ready
UPDATE_LOG=$ROOT$STATE_DIR/update.log
UNIT=airport-$PROGRAM.service

log_line() {
    local line
    line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $PROGRAM $*"
    echo "$line" >>"$UPDATE_LOG"
    say "$*"
    [ -n "$ROOT" ] || logger -t airport-update -- "$*" || true
}

restart_app() {
    rm -f "$READY_FILE"
    if [ -n "$RESTART_CMD" ]; then
        bash -c "$RESTART_CMD"
    else
        # --no-block: the wait below has its own limit and reads the reason; systemctl would wait for
        # TimeoutStartSec and then say only "failed"
        systemctl restart --no-block "$UNIT"
    fi
}

# The ready file appears when the app has painted its first screen; nothing else counts as up.
wait_until_ready() {
    local waited=0
    while [ "$waited" -lt $((TIMEOUT_S * 10)) ]; do
        [ -s "$READY_FILE" ] && return 0
        sleep 0.1
        waited=$((waited + 1))
    done
    return 1
}

app_log_tail() {
    if [ -n "$APP_LOG" ]; then
        tail -n 5 "$APP_LOG" 2>/dev/null || true
    else
        journalctl --unit "$UNIT" --since "@$STARTED" --lines 5 --output cat --no-pager 2>/dev/null || true
    fi
}

OLD=$(current_version)
[ -n "$OLD" ] || die "no current version under $ROOT$CURRENT_LINK: run install.sh first"
[ "$OLD" != "$VERSION" ] || die "version $VERSION is already the running one"
mkdir -p "$ROOT$STATE_DIR"

install_version "$VERSION" "$SOURCE"

# the old settings are kept until the new version is known to run with its own
if [ -e "$SETTINGS" ]; then
    cp -p "$SETTINGS" "$SETTINGS.before-$VERSION"
fi
if [ -n "$NEW_SETTINGS" ]; then
    install -m 0640 "$NEW_SETTINGS" "$SETTINGS.partial"
    [ ! -e "$SETTINGS" ] || chown --reference="$SETTINGS" "$SETTINGS.partial"
    mv "$SETTINGS.partial" "$SETTINGS"
fi

STARTED=$(date +%s)
switch_to "$VERSION"
log_line "switching from $OLD to $VERSION"
restart_app
if wait_until_ready; then
    log_line "updated from $OLD to $VERSION: ready ($(tr '\n' ' ' <"$READY_FILE"))"
    rm -f "$SETTINGS.before-$VERSION"
    # keep the running version, the one before it and the newest others up to KEEP_VERSIONS
    mapfile -t versions < <(ls -1t "$ROOT$VERSIONS_DIR")
    kept=0
    for name in "${versions[@]}"; do
        if [ "$name" = "$VERSION" ] || [ "$name" = "$OLD" ] || [ "$kept" -lt "$KEEP_VERSIONS" ]; then
            kept=$((kept + 1))
            continue
        fi
        rm -rf "${ROOT:?}$VERSIONS_DIR/${name:?}"
        log_line "removed old version $name"
    done
    exit 0
fi

reason="no READY within ${TIMEOUT_S} s"
tail_lines=$(app_log_tail | tr '\n' '|' | sed 's/|$//; s/|/ | /g')
[ -z "$tail_lines" ] || reason="$reason; the app said: $tail_lines"
switch_to "$OLD"
if [ -e "$SETTINGS.before-$VERSION" ]; then
    mv "$SETTINGS.before-$VERSION" "$SETTINGS"
fi
log_line "rolled back from $VERSION to $OLD: $reason"
restart_app
if wait_until_ready; then
    log_line "version $OLD is running again"
else
    log_line "version $OLD did not report ready either within ${TIMEOUT_S} s"
fi
exit 1
