#!/usr/bin/env bash
# Runs a .bats file the way bats does for the subset policy suites use (`@test "name" { ... }` blocks, `run`,
# `$status`, `$output`, `$lines`, `[ ... ]` / `[[ ... ]]` assertions failing the test), so that CI does not need
# bats installed. Prints TAP like bats; exits 1 when a test fails. Usage: bats-lite.sh FILE.bats
set -u
file=$1
script=$(mktemp)
trap 'rm -f "$script"' EXIT
names=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ ^@test[[:space:]]+\"(.*)\"[[:space:]]*\{[[:space:]]*$ ]]; then
    n=$((n + 1))
    names+=("${BASH_REMATCH[1]}")
    printf 'bats_test_%d() {\n' "$n" >>"$script"
  else
    printf '%s\n' "$line" >>"$script"
  fi
done <"$file"

run() {
  set +e
  output=$("$@" 2>&1)
  status=$?
  set -e
  IFS=$'\n' read -r -d '' -a lines <<<"$output" || true
}

# shellcheck disable=SC1090
source "$script"
echo "1..$n"
failed=0
for i in $(seq 1 "$n"); do
  log=$(mktemp)
  (
    set -eE
    "bats_test_$i"
  ) >"$log" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "ok $i ${names[$((i - 1))]}"
  else
    failed=1
    echo "not ok $i ${names[$((i - 1))]}"
    sed 's/^/# /' "$log"
  fi
  rm -f "$log"
done
exit "$failed"
