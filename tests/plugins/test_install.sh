#!/usr/bin/env bash
# Installs the SDK into a temporary prefix, builds the example plugin out of
# tree against it (CMake package and pkg-config), and loads it with the
# installed host. Usage: test_install.sh BUILD_DIR EXAMPLE_SRC
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The README's plugin is this example, verbatim.
readme="$src/../../../README.md"
awk '/^## Writing a plugin/{w=1} w&&/^```c$/{c=1;next} c&&/^```$/{exit} c' "$readme" > "$tmp/readme.c"
diff -u "$src/example.c" "$tmp/readme.c" || { echo "README plugin differs from example.c"; exit 1; }
[ "$(wc -l < "$tmp/readme.c")" -lt 60 ] || { echo "README plugin is not under 60 lines"; exit 1; }
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
test -f "$tmp/prefix/include/ganglion/ganglion.h"
ls "$tmp"/prefix/lib*/libganglion.so.1 > /dev/null
cmake -S "$src" -B "$tmp/ex" -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/cfg.log"
cmake --build "$tmp/ex" > "$tmp/build.log"
test -f "$tmp/ex/example.so"
libdir=$(dirname "$(ls "$tmp"/prefix/lib*/libganglion.so.1)")
export LD_LIBRARY_PATH="$libdir"
# pkg-config build of the same source
export PKG_CONFIG_PATH="$libdir/pkgconfig"
mkdir -p "$tmp/pc"
cc -std=c11 -shared -fPIC -fvisibility=hidden -o "$tmp/pc/example.so" "$src/example.c" \
   $(pkg-config --cflags --libs ganglion)
for dir in "$tmp/ex" "$tmp/pc"; do
  out=$("$tmp/prefix/bin/ganglion" plugins --plugin-path "$dir")
  echo "$out" | grep -q '^example 1.0.0' || { echo "example not listed from $dir:"; echo "$out"; exit 1; }
  echo "$out" | grep -q '    layers: scale' || { echo "scale layer not registered"; exit 1; }
  GANGLION_PLUGIN_PATH="$dir" "$tmp/prefix/bin/ganglion" hello student | grep -q 'hello from a plugin, student'
done
echo "1 passed, 0 failed"
