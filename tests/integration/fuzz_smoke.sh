#!/usr/bin/env bash
# fuzz_smoke.sh: ~20 s of libFuzzer on the header parser (ASan+UBSan).
# Builds its own clang binary, so it runs once, in the normal tier.
# kith-test: nosan
set -u
top=${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${KITH_BUILD:-$top/build}
export KITH_FUZZ_DIR="$build/fuzz"
"$top/tests/fuzz/run.sh" 20 300000
