#!/usr/bin/env bash
# `mekong stix validate|fmt` as a user runs them: exit codes, messages, round trips.
. "$(dirname "$0")/lib.sh"
sample="$MK_SRC/samples/stix/threat-report.json"

expect_rc 0 "sample bundle is valid" -- "$MEKONG" stix validate "$sample"
expect_grep "$TMP/err" "30 objects, 0 errors" "summary counts the sample's objects"

for f in "$MK_SRC"/tests/data/stix/official-examples/*.json "$MK_SRC"/tests/data/stix/spec-examples/*.json; do
    expect_rc 0 "official/spec example $(basename "$f") has no errors" -- "$MEKONG" stix validate "$f"
done

expect_rc 0 "validate reads stdin" -- sh -c "\"$MEKONG\" stix validate - < \"$sample\""

cat >"$TMP/bad.json" <<'JSON'
{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created": "2026-01-02T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
  "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
  "valid_from": "2026-01-02T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"},
 {"type": "malware", "spec_version": "2.1", "id": "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
  "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "name": "x", "is_family": false}
]}
JSON
expect_rc 1 "modified before created is invalid" -- "$MEKONG" stix validate "$TMP/bad.json"
expect_grep "$TMP/out" "^$TMP/bad.json: error: indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: /modified: " \
    "error names file, object id and JSON path of modified"
expect_grep "$TMP/out" "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: /valid_until: " \
    "error names valid_until"
expect_grep "$TMP/err" "2 objects, [1-9][0-9]* errors" "lenient: every object is checked"

printf '{"type": "bundle", "objects": [{"a": 1,, }]}' >"$TMP/syntax.json"
expect_rc 1 "broken JSON is invalid" -- "$MEKONG" stix validate "$TMP/syntax.json"
expect_grep "$TMP/out" "JSON error at byte [0-9]+" "JSON error names the byte"

printf '{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"id":"a","id":"b"}]}' >"$TMP/dup.json"
expect_rc 1 "duplicate keys are rejected" -- "$MEKONG" stix validate "$TMP/dup.json"
expect_grep "$TMP/out" "duplicate key" "duplicate key is named"

expect_rc 2 "missing file is a usage error" -- "$MEKONG" stix validate "$TMP/nope.json"
expect_rc 2 "no file is a usage error" -- "$MEKONG" stix validate
expect_rc 0 "validate --help" -- "$MEKONG" stix validate --help
expect_grep "$TMP/out" "usage: mekong stix validate" "help text printed"
expect_rc 0 "top-level --help" -- "$MEKONG" --help
expect_rc 2 "unknown command" -- "$MEKONG" frobnicate

# fmt: canonical output validates, is stable, and keeps every object.
expect_rc 0 "fmt the sample" -- "$MEKONG" stix fmt "$sample"
cp "$TMP/out" "$TMP/fmt1.json"
expect_rc 0 "fmt output validates" -- "$MEKONG" stix validate "$TMP/fmt1.json"
expect_rc 0 "fmt again" -- "$MEKONG" stix fmt "$TMP/fmt1.json"
if cmp -s "$TMP/out" "$TMP/fmt1.json"; then ok "fmt is idempotent"; else not_ok "fmt is not idempotent"; fi
if [ "$(jq -S . "$sample")" = "$(jq -S . "$TMP/fmt1.json")" ]; then ok "fmt keeps the meaning (jq -S equal)"; else
    not_ok "fmt changed the document"; fi
expect_rc 0 "fmt --jsonl" -- "$MEKONG" stix fmt --jsonl "$sample"
[ "$(wc -l <"$TMP/out")" -eq 30 ] && ok "jsonl: one line per object" || not_ok "jsonl line count $(wc -l <"$TMP/out")"
expect_rc 0 "fmt --compact" -- "$MEKONG" stix fmt --compact "$sample"
[ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "compact: one line" || not_ok "compact has $(wc -l <"$TMP/out") lines"

# custom properties and unknown types survive a round trip
cat >"$TMP/custom.json" <<'JSON'
{"type":"x-acme-widget","id":"x-acme-widget--4e2f6c0e-6cf5-4bd5-8c8c-2f4a8ee9d5d1","spec_version":"2.1",
 "created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z","x_acme_score":1.50e2,
 "extensions":{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e":{"extension_type":"new-sdo","n":[1,{"k":null}]}}}
JSON
expect_rc 0 "fmt a custom object" -- "$MEKONG" stix fmt --compact "$TMP/custom.json"
expect_grep "$TMP/out" '"x_acme_score":1.50e2' "number text kept as written"
if [ "$(jq -S . "$TMP/custom.json")" = "$(jq -S . "$TMP/out")" ]; then ok "custom object round trip"; else
    not_ok "custom object changed"; fi
finish
