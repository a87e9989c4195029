#!/usr/bin/env bash
# Switch the display itself off or on (backlight and panel power), beside the signage player's dark
# page: run at the times of [schedule] off_at / on_at by the airport-screen-off/-on timers that
# install.sh writes from /etc/airport/signage.toml.
#
#   screen-power.sh off|on
#
# A DSI panel (the official touch display) is switched through its backlight; an HDMI display through
# cage's output management (wlr-randr), as the user the session runs as.
set -euo pipefail

state=${1:-}
case $state in on | off) ;; *) echo "screen-power.sh: say on or off" >&2 && exit 2 ;; esac
BACKLIGHTS=${AIRPORT_BACKLIGHTS:-/sys/class/backlight}
DISPLAY_CONF=${AIRPORT_DISPLAY_CONF:-/etc/airport/display.conf}
SESSION_USER=${AIRPORT_SESSION_USER:-kiosk}

OUTPUT=HDMI-A-1
if [ -r "$DISPLAY_CONF" ]; then
    while IFS='=' read -r key value || [ -n "$key" ]; do
        [ "$key" != OUTPUT ] || OUTPUT=$value
    done <"$DISPLAY_CONF"
fi

done_something=0
for backlight in "$BACKLIGHTS"/*/bl_power; do
    [ -e "$backlight" ] || continue
    # bl_power: 0 is on, 4 is powered down (FB_BLANK_POWERDOWN)
    if [ "$state" = on ]; then echo 0 >"$backlight"; else echo 4 >"$backlight"; fi
    done_something=1
done

uid=$(id -u "$SESSION_USER" 2>/dev/null) || uid=""
if [ -n "$uid" ] && [ -S "/run/user/$uid/wayland-0" ] && command -v wlr-randr >/dev/null; then
    runuser -u "$SESSION_USER" -- env XDG_RUNTIME_DIR="/run/user/$uid" WAYLAND_DISPLAY=wayland-0 \
        wlr-randr --output "$OUTPUT" "--$state"
    done_something=1
fi

if [ "$done_something" = 0 ]; then
    echo "screen-power.sh: no backlight and no cage session to switch $state; the player's dark page stays" >&2
fi
echo "screen-power.sh: screen $state"
