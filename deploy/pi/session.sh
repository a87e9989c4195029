#!/usr/bin/env bash
# Start the kiosk or signage app on the screen: inside cage (Wayland) or straight on the display (eglfs).
# Run by the airport-kiosk / airport-signage units: session.sh kiosk|signage
#
# /etc/airport/display.conf (optional, shell-style key=value lines):
#   DISPLAY_MODE=cage|eglfs   cage (default): the Wayland kiosk compositor; eglfs: Qt alone on the KMS display
#   ROTATE=0|90|180|270       screen rotation (and touch, which follows the screen in both modes)
#   OUTPUT=HDMI-A-1           which connector to rotate (cage mode; `wlr-randr` lists them)
set -euo pipefail

program=${1:?usage: session.sh kiosk|signage}
case $program in kiosk | signage) ;; *) echo "session.sh: unknown program $program" >&2 && exit 2 ;; esac
DISPLAY_CONF=${AIRPORT_DISPLAY_CONF:-/etc/airport/display.conf}
APP=${AIRPORT_APP:-/opt/airport/current/bin/$program}

DISPLAY_MODE=cage
ROTATE=0
OUTPUT=HDMI-A-1
if [ -r "$DISPLAY_CONF" ]; then
    while IFS='=' read -r key value || [ -n "$key" ]; do
        case $key in
        DISPLAY_MODE) DISPLAY_MODE=$value ;;
        ROTATE) ROTATE=$value ;;
        OUTPUT) OUTPUT=$value ;;
        '' | \#*) ;;
        *) echo "session.sh: $DISPLAY_CONF: unknown key '$key'" >&2 ;;
        esac
    done <"$DISPLAY_CONF"
fi
case $ROTATE in 0 | 90 | 180 | 270) ;; *) echo "session.sh: ROTATE must be 0, 90, 180 or 270, not '$ROTATE'" >&2 && exit 2 ;; esac

# systemd's watchdog is addressed to the unit's main process; under cage that is cage, and the app (its
# child) would otherwise ignore WATCHDOG_USEC. NotifyAccess=all lets the child's messages count.
unset WATCHDOG_PID

case ${2:-} in
--inside-cage)
    # cage is up: rotate its output (wlroots turns touch with it), then become the app
    if [ "$ROTATE" != 0 ]; then
        wlr-randr --output "$OUTPUT" --transform "$ROTATE" ||
            echo "session.sh: could not rotate $OUTPUT (wlr-randr lists the outputs)" >&2
    fi
    export QT_QPA_PLATFORM=wayland
    exec "$APP" --config "/etc/airport/$program.toml"
    ;;
esac

case $DISPLAY_MODE in
cage)
    # -d: no window decorations; -s: allow switching to another VT for maintenance (Ctrl+Alt+F2)
    exec cage -d -s -- "$0" "$program" --inside-cage
    ;;
eglfs)
    export QT_QPA_PLATFORM=eglfs
    export QT_QPA_EGLFS_ALWAYSSETMODE=1
    [ "$ROTATE" = 0 ] || export QT_QPA_EGLFS_ROTATION=$ROTATE
    [ "$ROTATE" = 0 ] || export QT_QPA_EVDEV_TOUCHSCREEN_PARAMETERS=rotate=$ROTATE
    exec "$APP" --config "/etc/airport/$program.toml"
    ;;
*)
    echo "session.sh: DISPLAY_MODE must be cage or eglfs, not '$DISPLAY_MODE'" >&2
    exit 2
    ;;
esac
