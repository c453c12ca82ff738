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
usable() {
  (umask 077 && mkdir -p "$1") 2>/dev/null && [ -w "$1" ] && [ -O "$1" ]
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
# copy is removed and the winner's is used.
if [ ! -x "$dir/deno" ]; then
  tmp=$base/.$id.$$
  rm -rf "$tmp"
  mkdir "$tmp" || fail "cannot create $tmp"
  trap 'rm -rf "$tmp"; exit 130' INT TERM HUP
  if ! tail -c +"$payload" "$0" | gzip -dc | tar -xf - -C "$tmp"; then
    rm -rf "$tmp"
    fail "cannot unpack $0 into $base (is the file complete?)"
  fi
  mv "$tmp" "$dir" 2>/dev/null
  rm -rf "$tmp" "$dir/.$id.$$"
  trap - INT TERM HUP
  [ -x "$dir/deno" ] || fail "$dir is incomplete; remove it and run again"
fi

# Deno writes its caches under the unpacked tree and nowhere else, looks for
# no configuration but ours, and fetches nothing.
DENO_DIR=$dir/deno_dir
DENO_NO_UPDATE_CHECK=1
export DENO_DIR DENO_NO_UPDATE_CHECK
exec "$dir/deno" run --config "$dir/src/deno.json" --no-lock --no-remote \
  --no-npm --cached-only --no-prompt @PERMISSIONS@ "$dir/src/main.ts" "$@"
