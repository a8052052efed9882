#!/usr/bin/env bash
# Golden tests: runs mekong sensor on each tests/golden/<case>/ capture and diffs the
# normalised EVE output with expected.jsonl (tests/golden/regen.sh rewrites them).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
golden=$MK_SRC/tests/golden
for dir in "$golden"/*/; do
    c=$(basename "$dir")
    [ -f "$dir/args" ] || continue
    if ! bash "$golden/run_case.sh" "$MEKONG" "$dir" >"$TMP/$c.jsonl" 2>"$TMP/$c.err"; then
        not_ok "golden $c: mekong failed"
        sed 's/^/#   /' "$TMP/$c.err" | head -20
    elif diff -u "$dir/expected.jsonl" "$TMP/$c.jsonl" >"$TMP/$c.diff"; then
        ok "golden $c ($(wc -l <"$dir/expected.jsonl") events)"
    else
        not_ok "golden $c: output differs (tests/golden/regen.sh $c to accept)"
        sed 's/^/#   /' "$TMP/$c.diff" | head -40
    fi
done
finish
