#!/bin/sh
# udpchat @VERSION@ as one file: this POSIX sh header, then a gzipped tar
# holding Deno @DENO@ (./deno) and udpchat's sources (./src). The first run
# unpacks it into a cache directory named after a hash of its contents, so a
# new build never runs old sources; every run then execs Deno on the program,
# so signals reach it directly. tools/single_file.ts fills in the @...@ values.
set -u
id=@ID@
payload=@OFFSET@

fail() {
  echo "udpchat: $*" >&2
  exit 1
}

# A directory of our own that we can write: the XDG cache, ~/.cache, and
# then, with HOME unset or read-only, a private one under $TMPDIR or /tmp.
# Never a symbolic link (in /tmp its owner could point it elsewhere between
# our checks and the exec) nor one that others may write (they could plant
# a deno in it).
usable() {
  (umask 077 && mkdir -p "$1") 2>/dev/null && [ ! -L "$1" ] && [ -w "$1" ] &&
    [ -O "$1" ] && ls -ld "$1" | cut -c6,9 | grep -qx -- --
}
base=
for candidate in "${XDG_CACHE_HOME:+$XDG_CACHE_HOME/udpchat}" \
  "${HOME:+$HOME/.cache/udpchat}" "${TMPDIR:-/tmp}/udpchat-$(id -u)"; do
  if [ -n "$candidate" ] && usable "$candidate"; then
    base=$candidate
    break
  fi
done
[ -n "$base" ] || fail "no writable cache directory (set XDG_CACHE_HOME)"
dir=$base/$id

# Unpack beside the final directory, then rename: a run never sees half a
# tree. When two first runs race, one rename wins; the other either fails
# (the name exists) or lands inside the winner's directory; either way its
# copy is removed and the winner's is used. A copy something damaged since
# (a file missing) is moved aside and replaced.
complete() {
  [ -x "$1/deno" ] && [ -f "$1/src/main.ts" ] && [ -f "$1/src/deno.json" ]
}
if ! complete "$dir"; then
  tmp=$base/.$id.$$
  rm -rf "$tmp" "$tmp.old"
  mkdir "$tmp" || fail "cannot create $tmp"
  trap 'rm -rf "$tmp" "$tmp.old"; exit 130' INT TERM HUP
  if ! tail -c +"$payload" "$0" | gzip -dc | tar -xf - -C "$tmp"; then
    rm -rf "$tmp"
    fail "cannot unpack $0 into $base (is the file complete?)"
  fi
  if [ -e "$dir" ] && ! complete "$dir"; then mv "$dir" "$tmp.old"; fi
  mv "$tmp" "$dir" 2>/dev/null
  rm -rf "$tmp" "$tmp.old" "$dir/.$id.$$"
  trap - INT TERM HUP
  complete "$dir" || fail "$dir is incomplete; remove it and run again"
fi

# Deno writes its caches under the unpacked tree and nowhere else, looks for
# no configuration but ours, and fetches nothing: the one npm package it
# loads (the Redis client, for --cluster) is unpacked in src/node_modules.
DENO_DIR=$dir/deno_dir
DENO_NO_UPDATE_CHECK=1
export DENO_DIR DENO_NO_UPDATE_CHECK
exec "$dir/deno" run --config "$dir/src/deno.json" --no-lock --no-remote \
  --cached-only --no-prompt @PERMISSIONS@ "$dir/src/main.ts" "$@"
