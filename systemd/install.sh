#!/usr/bin/env bash
# kiosk installer: puts a kiosk on this machine (or under --root DIR) and takes it off again.
#
#   sudo systemd/install.sh install      user, virtualenv, config, data folder, units, udev rule, PAM file
#   sudo systemd/install.sh status       what is installed, enabled and running
#   sudo systemd/install.sh uninstall    removes exactly what install created (see the manifest),
#                                        but never the database, backups or config...
#   sudo systemd/install.sh --purge uninstall   ...unless --purge is given
#
# Options:
#   --root DIR    install under DIR instead of / (tests, image building). The kiosk user is not
#                 created there (noted in the manifest) and nothing is started.
#   --source DIR  the kiosk source tree to install from (default: the tree this script is in)
#   --no-venv     do not build the virtualenv; put a placeholder /opt/kiosk/venv/bin/kiosk instead
#   --no-enable   install the units but do not enable them
#   --purge       with uninstall: also remove the config, the database, the backups and the user
#
# Idempotent: running install again changes nothing that is already right, and never overwrites
# /etc/kiosk/kiosk.toml. Everything it creates is listed in /opt/kiosk/install-manifest.txt, one
# "KIND MODE OWNER PATH" line each, so uninstall removes exactly that and nothing else.
set -eu

umask 022
export LC_ALL=C

ROOT=/
SOURCE=
VENV=1
ENABLE=1
PURGE=0
ACTION=

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
    --root=*) ROOT=${1#--root=}; shift ;;
    --source) [ $# -ge 2 ] || die "--source needs a directory"; SOURCE=$2; shift 2 ;;
    --source=*) SOURCE=${1#--source=}; shift ;;
    --no-venv) VENV=0; shift ;;
    --no-enable) ENABLE=0; shift ;;
    --purge) PURGE=1; shift ;;
    install|uninstall|status) [ -z "$ACTION" ] || die "one action only"; ACTION=$1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[ -n "$ACTION" ] || die "say what to do: install, uninstall or status (try --help)"

[ -d "$ROOT" ] || die "--root $ROOT is not a directory"
ROOT=$(cd "$ROOT" && pwd -P)
[ -n "$SOURCE" ] || SOURCE=$(cd "$(dirname "$0")/.." && pwd -P)
SOURCE=$(cd "$SOURCE" 2>/dev/null && pwd -P) || die "--source $SOURCE is not a directory"
if [ "$ROOT" = / ]; then R=; LIVE=1; else R=$ROOT; LIVE=0; fi

USER_NAME=kiosk
USER_GROUPS="dialout audio"
OPT=/opt/kiosk
VENV_DIR=$OPT/venv
MANIFEST=$OPT/install-manifest.txt
ETC=/etc/kiosk
CONFIG=$ETC/kiosk.toml
DATA=/var/lib/kiosk
BACKUPS=$DATA/backups
UNIT_DIR=/etc/systemd/system
UDEV_DIR=/etc/udev/rules.d
RULE=99-kiosk-modem.rules
PAM_DIR=/etc/pam.d
PAM_FILE=kiosk-cage.pam
PAM_SERVICE=kiosk-cage
UNITS="kiosk-gateway.service kiosk-ui.service kiosk-ui-wayland.service kiosk-backup.service kiosk-backup.timer"
ENABLED="kiosk-gateway.service kiosk-ui.service kiosk-backup.timer"
DB_PATH=$DATA/kiosk.db
MODEM_PORT=/dev/kiosk-modem

# --- the manifest ---------------------------------------------------------------------------------
# Lines are collected in $NEW (a temp file) and merged with the old manifest, so a second install
# still knows what the first one created.
NEW=$(mktemp)
trap 'rm -f "$NEW"' EXIT

record() { printf '%s %s %s %s\n' "$1" "$2" "$3" "$4" >>"$NEW"; }
systemd_running() { [ "$LIVE" = 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# set_owner OWNER:GROUP PATH: only on the live system (under --root the user does not exist)
set_owner() {
  if [ "$LIVE" = 1 ]; then chown "$1" "$R$2"; fi
}

# ours PATH: true if an earlier install created PATH (it is in the old manifest)
ours() { [ -n "$MANIFEST_OLD" ] && awk -v p="$1" '$4 == p { found = 1 } END { exit !found }' "$MANIFEST_OLD"; }

# make_dir MODE OWNER PATH [KIND]: create one directory (parents first, each recorded if new).
# A folder that was there before us keeps its mode, except kiosk's own data folders.
make_dir() {
  local mode=$1 owner=$2 path=$3 kind=${4:-dir} parent
  parent=$(dirname "$path")
  if [ "$parent" != / ] && [ ! -d "$R$parent" ]; then make_dir 0755 root:root "$parent"; fi
  if [ ! -d "$R$path" ]; then
    mkdir "$R$path"
    record "$kind" "$mode" "$owner" "$path"
  elif [ "$kind" = dir ] && ! ours "$path"; then
    return 0
  fi
  chmod "$mode" "$R$path"
  set_owner "$owner" "$path"
}

# remove_tree PATH: rm -rf, but only inside kiosk's own folders
remove_tree() {
  case "$1" in
    /opt/kiosk|/opt/kiosk/*|/var/lib/kiosk|/var/lib/kiosk/*|/etc/kiosk|/etc/kiosk/*) rm -rf -- "$R$1" ;;
    *) say "refusing to remove $1: not a kiosk folder" ;;
  esac
}

# put_file MODE OWNER SRC DEST: copy, replacing only if the content differs
put_file() {
  local mode=$1 owner=$2 src=$3 dest=$4
  if [ ! -f "$R$dest" ] || ! cmp -s "$src" "$R$dest"; then
    cp "$src" "$R$dest.kiosk-new"
    mv -f "$R$dest.kiosk-new" "$R$dest"
  fi
  chmod "$mode" "$R$dest"
  set_owner "$owner" "$dest"
  record file "$mode" "$owner" "$dest"
}

# --- install --------------------------------------------------------------------------------------
write_config() {
  example=$SOURCE/data/kiosk.example.toml
  [ -f "$example" ] || die "no example config at $example (is --source a kiosk tree?)"
  # Set [database] path and [modem] port in the copy, whether the example has them commented
  # out or not; every other key keeps its commented default.
  awk -v db="$DB_PATH" -v port="$MODEM_PORT" '
    function flush() {
      if (section == "database" && !did_db) { print "path = \"" db "\""; did_db = 1 }
      if (section == "modem" && !did_port) { print "port = \"" port "\""; did_port = 1 }
    }
    /^[ \t]*\[[^]]+\][ \t]*(#.*)?$/ {
      flush(); s = $0; sub(/^[ \t]*\[/, "", s); sub(/\].*$/, "", s); section = s; print; next
    }
    section == "database" && !did_db && /^[ \t]*#?[ \t]*path[ \t]*=/ { print "path = \"" db "\""; did_db = 1; next }
    section == "modem" && !did_port && /^[ \t]*#?[ \t]*port[ \t]*=/ { print "port = \"" port "\""; did_port = 1; next }
    { print }
    END {
      flush()
      if (!did_db) { print ""; print "[database]"; print "path = \"" db "\"" }
      if (!did_port) { print ""; print "[modem]"; print "port = \"" port "\"" }
    }' "$example" >"$R$CONFIG.kiosk-new"
  chmod 0640 "$R$CONFIG.kiosk-new"
  mv -f "$R$CONFIG.kiosk-new" "$R$CONFIG"
}

ensure_user() {
  if [ "$LIVE" = 0 ]; then
    say "note: --root is not /: user '$USER_NAME' not created (recorded in the manifest); files keep your owner"
    record user-skipped - "$(echo "$USER_GROUPS" | tr ' ' ,)" "$USER_NAME"
    return
  fi
  if ! getent passwd "$USER_NAME" >/dev/null; then
    useradd --system --user-group --home-dir "$DATA" --no-create-home \
      --shell /usr/sbin/nologin --comment "kiosk home-visit safety board" "$USER_NAME"
    record user - "$(echo "$USER_GROUPS" | tr ' ' ,)" "$USER_NAME"
    say "created system user $USER_NAME"
  fi
  for g in $USER_GROUPS; do
    if getent group "$g" >/dev/null; then usermod -a -G "$g" "$USER_NAME"; else say "note: no group $g here"; fi
  done
}

build_venv() {
  make_dir 0755 root:root "$VENV_DIR" venv
  if [ "$VENV" = 0 ]; then
    make_dir 0755 root:root "$VENV_DIR/bin"
    placeholder=$(mktemp)
    printf '#!/bin/sh\n# placeholder written by install.sh --no-venv: the real kiosk is not installed here\necho "kiosk: installed with --no-venv; run install.sh install to build the virtualenv" >&2\nexit 3\n' >"$placeholder"
    put_file 0755 root:root "$placeholder" "$VENV_DIR/bin/kiosk"
    rm -f "$placeholder"
    return
  fi
  python3 -m venv --help >/dev/null 2>&1 || die "python3-venv is missing: sudo apt install python3-venv"
  [ -x "$R$VENV_DIR/bin/python" ] || python3 -m venv "$R$VENV_DIR"
  say "installing kiosk from $SOURCE into $VENV_DIR (this takes a few minutes on a Pi)"
  "$R$VENV_DIR/bin/python" -m pip install --quiet --upgrade pip
  "$R$VENV_DIR/bin/python" -m pip install --quiet --upgrade "$SOURCE"
}

# The database is made by `kiosk init` and nothing else: the gateway and the board refuse to start
# on a path that holds none (a mistyped path must not become a new, empty school). It runs as the
# kiosk user (the file is theirs, 0600), prints what it made, and makes nothing on a reinstall.
# The database is data: uninstall keeps it (and --purge removes it with $DATA).
init_database() {
  if [ "$VENV" = 0 ]; then
    say "note: --no-venv: no database made; once kiosk is installed: sudo -u $USER_NAME kiosk --config $CONFIG init"
    return
  fi
  if [ "$LIVE" = 1 ]; then
    runuser -u "$USER_NAME" -- "$VENV_DIR/bin/kiosk" --config "$CONFIG" init \
      || say "WARNING: kiosk init failed (above); the gateway will not start until: sudo -u $USER_NAME kiosk --config $CONFIG init"
  else
    "$R$VENV_DIR/bin/kiosk" --config "$R$CONFIG" --db "$R$DB_PATH" init \
      || say "WARNING: kiosk init failed (above): run kiosk init on the installed system"
  fi
}

enable_unit() {
  local unit=$1 target link
  # WantedBy= holds space-separated unit names: word splitting is what we want here.
  # shellcheck disable=SC2013
  for target in $(sed -n 's/^WantedBy=//p' "$R$UNIT_DIR/$unit"); do
    make_dir 0755 root:root "$UNIT_DIR/$target.wants"
    link=$UNIT_DIR/$target.wants/$unit
    if [ "$(readlink "$R$link" 2>/dev/null || true)" != "$UNIT_DIR/$unit" ]; then
      ln -sfn "$UNIT_DIR/$unit" "$R$link"
    fi
    record link - - "$link"
  done
}

do_install() {
  [ "$LIVE" = 0 ] || [ "$(id -u)" = 0 ] || die "run as root: sudo $0 install"
  for f in $UNITS $RULE $PAM_FILE; do [ -f "$SOURCE/systemd/$f" ] || die "missing $SOURCE/systemd/$f"; done
  if [ ! -e "$R$CONFIG" ] && [ ! -f "$SOURCE/data/kiosk.example.toml" ]; then
    die "no example config at $SOURCE/data/kiosk.example.toml (is --source a kiosk tree?)"
  fi
  ensure_user
  make_dir 0755 root:root "$OPT"
  build_venv
  make_dir 0750 root:"$USER_NAME" "$ETC"
  if [ -e "$R$CONFIG" ]; then
    say "kept existing $CONFIG"
  else
    write_config
    record config 0640 root:"$USER_NAME" "$CONFIG"
    say "wrote $CONFIG: edit it (school name, alert receivers) before the first start"
  fi
  chmod 0640 "$R$CONFIG"
  set_owner root:"$USER_NAME" "$CONFIG"
  make_dir 0750 "$USER_NAME:$USER_NAME" "$DATA" data
  make_dir 0750 "$USER_NAME:$USER_NAME" "$BACKUPS" data
  init_database
  make_dir 0755 root:root "$UNIT_DIR"
  for unit in $UNITS; do put_file 0644 root:root "$SOURCE/systemd/$unit" "$UNIT_DIR/$unit"; done
  make_dir 0755 root:root "$UDEV_DIR"
  put_file 0644 root:root "$SOURCE/systemd/$RULE" "$UDEV_DIR/$RULE"
  make_dir 0755 root:root "$PAM_DIR"
  put_file 0644 root:root "$SOURCE/systemd/$PAM_FILE" "$PAM_DIR/$PAM_SERVICE"
  if [ "$ENABLE" = 1 ]; then
    for unit in $ENABLED; do enable_unit "$unit"; done
  fi
  # The manifest: old entries still true plus new ones, in a stable order.
  sort -u "$NEW" ${MANIFEST_OLD:+"$MANIFEST_OLD"} | while read -r kind mode owner path; do
    case "$kind" in
      user|user-skipped) printf '%s %s %s %s\n' "$kind" "$mode" "$owner" "$path" ;;
      *) if [ -e "$R$path" ] || [ -L "$R$path" ]; then printf '%s %s %s %s\n' "$kind" "$mode" "$owner" "$path"; fi ;;
    esac
  done | sort -u >"$R$MANIFEST.kiosk-new"
  chmod 0644 "$R$MANIFEST.kiosk-new"
  mv -f "$R$MANIFEST.kiosk-new" "$R$MANIFEST"
  if systemd_running; then
    systemctl daemon-reload
    if command -v udevadm >/dev/null 2>&1; then
      { udevadm control --reload-rules && udevadm trigger --subsystem-match=tty; } || say "note: udev did not reload; replug the modem"
    fi
    if [ "$ENABLE" = 1 ]; then say "enabled: $ENABLED (start now: sudo systemctl start kiosk-gateway kiosk-ui)"; fi
  fi
  say "kiosk installed under ${ROOT}; manifest: $MANIFEST"
}

# --- uninstall ------------------------------------------------------------------------------------
do_uninstall() {
  [ "$LIVE" = 0 ] || [ "$(id -u)" = 0 ] || die "run as root: sudo $0 uninstall"
  if [ ! -f "$R$MANIFEST" ]; then say "nothing to uninstall: no $MANIFEST"; return 0; fi
  if systemd_running; then
    # shellcheck disable=SC2086
    systemctl disable --now $UNITS >/dev/null 2>&1 || true
  fi
  kept=$(mktemp)
  # Deepest paths first, so a folder is only removed after what is in it.
  awk '{ n = gsub("/", "/", $4); print n, $0 }' "$R$MANIFEST" | sort -k1,1nr -k5,5r | cut -d' ' -f2- |
  while read -r kind mode owner path; do
    case "$kind" in
      link|file) rm -f "$R$path" ;;
      venv) remove_tree "$path" ;;
      dir)
        if ! rmdir "$R$path" 2>/dev/null; then
          if [ -e "$R$path" ]; then echo "$kind $mode $owner $path" >>"$kept"; fi
        fi ;;
      config)
        if [ "$PURGE" = 1 ]; then rm -f "$R$path"; else echo "$kind $mode $owner $path" >>"$kept"; fi ;;
      data)
        if [ "$PURGE" = 1 ]; then remove_tree "$path"; else echo "$kind $mode $owner $path" >>"$kept"; fi ;;
      user)
        if [ "$PURGE" = 1 ] && [ "$LIVE" = 1 ]; then userdel "$path" || say "could not remove user $path"
        else echo "$kind $mode $owner $path" >>"$kept"; fi ;;
      user-skipped) ;;
    esac
  done
  if grep -qv '^dir ' "$kept"; then
    # What was kept (and the folders holding it) stays listed, so a later
    # `uninstall --purge` can still remove it.
    mkdir -p "$R$OPT"
    sort -u "$kept" >"$R$MANIFEST"
    say "kept the config, database and backups (listed in $MANIFEST); --purge removes them too"
  else
    rm -f "$R$MANIFEST"
    # The manifest's own folders, now empty (they were skipped above while it was in them).
    awk '$1 == "dir" { n = gsub("/", "/", $4); print n, $4 }' "$kept" | sort -k1,1nr | cut -d' ' -f2 |
      while read -r d; do rmdir "$R$d" 2>/dev/null || say "left $d (not empty)"; done
  fi
  rm -f "$kept"
  if systemd_running; then
    systemctl daemon-reload
    if command -v udevadm >/dev/null 2>&1; then udevadm control --reload-rules || true; fi
  fi
  say "kiosk uninstalled from $ROOT"
}

# --- status ---------------------------------------------------------------------------------------
do_status() {
  if [ ! -f "$R$MANIFEST" ]; then say "kiosk is not installed under $ROOT (no $MANIFEST)"; return 3; fi
  missing=0
  while read -r kind mode owner path; do
    case "$kind" in
      user) if [ "$LIVE" = 1 ] && ! getent passwd "$path" >/dev/null; then say "MISSING user $path"; missing=1; else say "ok      user $path ($owner)"; fi ;;
      user-skipped) say "note    user $path not created (installed under --root)" ;;
      *) if [ -e "$R$path" ] || [ -L "$R$path" ]; then say "ok      $kind $path"; else say "MISSING $kind $path"; missing=1; fi ;;
    esac
  done <"$R$MANIFEST"
  if systemd_running; then
    for unit in $UNITS; do
      printf '%-28s %-10s %s\n' "$unit" "$(systemctl is-enabled "$unit" 2>/dev/null || true)" "$(systemctl is-active "$unit" 2>/dev/null || true)"
    done
  fi
  if [ -e "$R$MODEM_PORT" ]; then say "ok      modem $MODEM_PORT -> $(readlink -f "$R$MODEM_PORT")"; else say "note    no $MODEM_PORT: modem not plugged in, or not in $UDEV_DIR/$RULE"; fi
  return "$missing"
}

MANIFEST_OLD=
if [ -f "$R$MANIFEST" ]; then MANIFEST_OLD=$R$MANIFEST; fi
case "$ACTION" in
  install) do_install ;;
  uninstall) do_uninstall ;;
  status) do_status ;;
esac
