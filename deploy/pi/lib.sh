# Shared by install.sh and update.sh (sourced, not run). Every path is under $ROOT, which is empty on a
# real device and a target directory with --root, so the scripts can be run into a disposable tree.
# shellcheck shell=bash
# shellcheck disable=SC2034  # the settings below are read by the scripts that source this file

APP_DIR=/opt/airport
VERSIONS_DIR=$APP_DIR/versions
CURRENT_LINK=$APP_DIR/current
SETTINGS_DIR=/etc/airport
STATE_DIR=/var/lib/airport
RUN_DIR=/run/airport
KIOSK_USER=kiosk
KEEP_VERSIONS=3

say() { echo "${0##*/}: $*"; }
die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# Control characters have no place in an id, a location, a URL or a password, and would break the
# settings file: refused before anything is written (toml_string runs in a subshell and cannot stop us).
refuse_control_characters() {
    local name=$1 value=$2
    if [[ $value =~ [[:cntrl:]] ]]; then
        die "the $name contains a control character; nothing was written"
    fi
}

# A TOML basic string: backslash and double quote escaped.
toml_string() {
    local value=$1
    value=${value//\\/\\\\}
    value=${value//\"/\\\"}
    printf '"%s"' "$value"
}

# The version directory's name: letters, digits, dot, plus, minus and underscore only, so it can never
# leave versions/ or clash with 'current'.
check_version_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$ ]] || die "version '$1' must be letters, digits, '.', '+', '-' or '_'"
}

# Build the versioned environment $VERSIONS_DIR/$version from the project at $source (a checkout or a
# wheel) unless it is already complete; an unfinished one (power cut mid-install) is built again.
# $NO_PIP=1 makes the environment without installing the app (tests, image building).
install_version() {
    local version=$1 source=$2
    local venv=$ROOT$VERSIONS_DIR/$version
    if [ -e "$venv/.complete" ]; then
        say "version $version already installed"
        return 0
    fi
    rm -rf "$venv"
    mkdir -p "$ROOT$VERSIONS_DIR"
    say "making the environment for version $version"
    if [ "${NO_PIP:-0}" = 1 ]; then
        "$PYTHON" -m venv --without-pip "$venv"
    else
        "$PYTHON" -m venv "$venv"
        # --only-binary for Qt: building PySide6 from source on a Pi takes hours and fails for want of Qt
        if ! "$venv/bin/pip" install --quiet --only-binary PySide6-Essentials,PySide6-Essentials-Addons \
            "${source}[${EXTRA:-kiosk}]"; then
            rm -rf "$venv"
            die "installing $source into $venv failed (see pip's message above); nothing was switched"
        fi
    fi
    echo "$version" >"$venv/.complete"
}

current_version() {
    local target
    target=$(readlink "$ROOT$CURRENT_LINK" 2>/dev/null) || return 0
    echo "${target##*/}"
}

# Point 'current' at a version in one rename, so a power cut leaves either the old or the new link.
switch_to() {
    local version=$1
    ln -sfn "versions/$version" "$ROOT$CURRENT_LINK.new"
    mv -T "$ROOT$CURRENT_LINK.new" "$ROOT$CURRENT_LINK"
}
