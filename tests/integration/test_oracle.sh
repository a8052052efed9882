#!/usr/bin/env bash
# Oracle agreement: mekong's DNS/HTTP/TLS/QUIC fields against the committed oracle files
# in tests/oracle/ (tshark 4.0.17 fields, the JA4 authors' values, suricata-verify
# expectations; see tests/oracle/README.md). Per capture, every oracle value must appear in
# mekong's EVE, and mekong must report no value of a compared field that no oracle has --
# except differences listed with their reason in tests/oracle/known-differences.tsv.
# Differences in tests/oracle/pending-bugs.tsv are mekong bugs awaiting a fix: reported
# as "pending", not failed, until the lead decides. Anything else fails.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ORACLE=$MK_SRC/tests/oracle
SHARED=$MK_SRC/../shared/data
command -v jq >/dev/null || { echo "not ok - jq is required"; exit 1; }

# ---- 1. Which captures, from which oracle files --------------------------------------
# capture id = <source>/<path inside the source>: suricata-verify/<test>/<file>,
# ja4/<file>, repo/<path under tests/data>. Known differences are keyed by it.
cap_path() {
    case $1 in
        suricata-verify/*) echo "$SHARED/suricata-verify/tests/${1#suricata-verify/}" ;;
        ja4/*) echo "$SHARED/ja4/${1#ja4/}" ;;
        repo/*) echo "$MK_SRC/tests/data/${1#repo/}" ;;
    esac
}

have_shared=1
if [ ! -d "$SHARED/suricata-verify/tests" ] || [ ! -d "$SHARED/ja4" ]; then
    have_shared=0
    echo "# $SHARED not present: only the repo's own captures are compared"
fi

# exp.tsv: capid \t kind \t field \t value. kind "all" (tshark, JA4 reference: the oracle
# lists every value of its fields, so mekong's other values are extra) or "some"
# (suricata-verify checks: only the values the authors chose to assert).
: >"$TMP/exp.tsv"
: >"$TMP/caps.tsv"
add_oracle() { # FILE CAPID KIND
    [ -f "$(cap_path "$2")" ] || { echo "# oracle $1: capture $(cap_path "$2") missing" >&2; return 1; }
    printf '%s\n' "$2" >>"$TMP/caps.tsv"
    # An empty oracle file still registers the capture: mekong must then report nothing.
    awk -F'\t' -v c="$2" -v k="$3" 'NF >= 2 { print c "\t" k "\t" $1 "\t" $2 }' "$1" >>"$TMP/exp.tsv"
}

missing_caps=0
while IFS= read -r f; do
    rel=${f#"$ORACLE"/tshark/}
    rel=${rel%.tsv}
    case $rel in repo/*) ;; *) [ "$have_shared" = 1 ] || continue ;; esac
    add_oracle "$f" "$rel" all || missing_caps=$((missing_caps + 1))
done < <(find "$ORACLE/tshark" -name '*.tsv' | LC_ALL=C sort)

if [ "$have_shared" = 1 ]; then
    while IFS= read -r f; do
        rel=${f#"$ORACLE"/ja4/}
        add_oracle "$f" "ja4/${rel%.tsv}" all || missing_caps=$((missing_caps + 1))
    done < <(find "$ORACLE/ja4" -name '*.tsv' | LC_ALL=C sort)
    while IFS= read -r f; do
        dir=${f#"$ORACLE"/suricata-verify/}
        dir=${dir%.tsv}
        # Each suricata-verify test directory holds exactly one capture.
        cap=$(find "$SHARED/suricata-verify/tests/$dir" -maxdepth 1 -type f \
            \( -name '*.pcap' -o -name '*.pcapng' \) | head -1)
        if [ -z "$cap" ]; then
            echo "# oracle $f: no capture in $dir" >&2
            missing_caps=$((missing_caps + 1))
            continue
        fi
        add_oracle "$f" "suricata-verify/$dir/$(basename "$cap")" some ||
            missing_caps=$((missing_caps + 1))
    done < <(find "$ORACLE/suricata-verify" -name '*.tsv' | LC_ALL=C sort)
fi

# No capture is ever dropped: one present without a tshark oracle file fails (run
# tests/oracle/make_tshark.sh and commit its output).
check_covered() { # ROOT SOURCE [FIND ARGS]: the same globs as make_tshark.sh
    local root=$1 src=$2 rel
    shift 2
    while IFS= read -r rel; do
        [ -f "$ORACLE/tshark/$src/$rel.tsv" ] ||
            not_ok "$src/$rel: capture has no oracle file (run tests/oracle/make_tshark.sh)"
    done < <(cd "$root" && find . "$@" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \
        -o -name '*.pcap.gz' -o -name '*.pcapng.gz' \) | sed 's|^\./||' | LC_ALL=C sort)
}
check_covered "$MK_SRC/tests/data" repo
if [ "$have_shared" = 1 ]; then
    check_covered "$SHARED/suricata-verify/tests" suricata-verify
    check_covered "$SHARED/ja4" ja4 -maxdepth 1
fi
[ "$missing_caps" -eq 0 ] || not_ok "$missing_caps oracle files name a capture that is not there"

LC_ALL=C sort -u -o "$TMP/caps.tsv" "$TMP/caps.tsv"
n_caps=$(wc -l <"$TMP/caps.tsv")
if [ "$n_caps" -eq 0 ]; then
    echo "# no captures to compare"
    finish
    exit
fi

# ---- 2. Run mekong once per capture (two at a time: 2 shared cores) ------------------
mkdir -p "$TMP/run"
# run_one INDEX CAPID: EVE in run/INDEX.json, exit status in run/INDEX.rc, stderr kept
# for the report (an ASan report lands there).
run_one() {
    local i=$1 rc=0
    # Only the event types compared: less EVE to write and parse under ASan.
    "$MEKONG" sensor -q --no-progress --types dns,http,tls,quic -r "$(cap_path "$2")" \
        -o "$TMP/run/$i.json" >/dev/null 2>"$TMP/run/$i.err" || rc=$?
    echo "$rc" >"$TMP/run/$i.rc"
}
export -f run_one cap_path
export MEKONG MK_SRC TMP SHARED
# shellcheck disable=SC2016 # $1 $2 are expanded by the inner bash
awk '{ print NR; print $0 }' "$TMP/caps.tsv" |
    xargs -d '\n' -n 2 -P 2 bash -c 'run_one "$1" "$2"' _

# All EVE files through jq at once (one process, not one per capture); should one file
# not be JSON, redo them one by one so only that capture fails. A second file (/dev/null)
# keeps the "<file>\t" prefix in the fallback.
: >"$TMP/run/fields.tsv"
mapfile -t eves < <(find "$TMP/run" -name '*.json')
if [ ${#eves[@]} -gt 0 ] && ! "$MK_SRC/tests/oracle/mekong_fields.sh" "${eves[@]}" /dev/null \
    >"$TMP/run/fields.tsv" 2>/dev/null; then
    : >"$TMP/run/fields.tsv"
    for e in "${eves[@]}"; do
        "$MK_SRC/tests/oracle/mekong_fields.sh" "$e" /dev/null 2>>"${e%.json}.err" >>"$TMP/run/fields.tsv" ||
            echo "EVE output is not valid JSON" >>"${e%.json}.err"
    done
fi

# run status per capture, and all of mekong's field lines (capid \t field \t value)
: >"$TMP/status.tsv"
i=0
while IFS= read -r capid; do
    i=$((i + 1))
    rc=$(cat "$TMP/run/$i.rc" 2>/dev/null || echo 127)
    err=$(grep -m1 -E 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|not valid JSON' \
        "$TMP/run/$i.err" || true)
    [ -z "$err" ] || rc="${err//$'\t'/ }"
    printf '%s\t%s\n' "$capid" "$rc" >>"$TMP/status.tsv"
done <"$TMP/caps.tsv"
awk -F'\t' -v run="$TMP/run/" '
    FILENAME == ARGV[1] { cap[run NR ".json"] = $0; next }
    ($1 in cap) { print cap[$1] "\t" $2 "\t" $3 }' "$TMP/caps.tsv" "$TMP/run/fields.tsv" >"$TMP/got.tsv"

# ---- 3. Compare ----------------------------------------------------------------------
# The lists: capture \t field \t value \t missing|extra \t reason; '#' lines are comments.
lists() { for f in "$@"; do [ ! -f "$f" ] || grep -v -e '^#' -e '^[[:space:]]*$' "$f" || true; done; }
lists "$ORACLE/known-differences.tsv" >"$TMP/known.tsv"
lists "$ORACLE/pending-bugs.tsv" >"$TMP/pending.tsv"

# Fields a complete ("all") oracle covers: mekong values of other fields are not judged.
TSHARK_FIELDS="dns.query dns.a dns.aaaa dns.cname http.host http.uri http.user_agent http.status tls.sni tls.ja3 tls.ja3s quic.sni quic.ja3"

awk -F'\t' -v tfields="$TSHARK_FIELDS" -v out="$TMP/report" '
FILENAME == ARGV[1] { known[$1 FS $2 FS $3 FS $4] = 1; next }
FILENAME == ARGV[2] { pend[$1 FS $2 FS $3 FS $4] = 1; next }
FILENAME == ARGV[3] { status[$1] = $2; order[++n] = $1; next }
FILENAME == ARGV[4] {           # expected: capid kind field value
    k = $1 FS $3 FS $4
    if (!(k in expd)) { expd[k] = 1; expl[$1] = expl[$1] k SUBSEP }
    if ($2 == "all") {
        # the JA4 reference is complete for ja4 only; tshark for its own fields
        if ($3 == "ja4") cover[$1 FS "ja4"] = 1
        else { split(tfields, tf, " "); for (j in tf) cover[$1 FS tf[j]] = 1 }
    }
    next
}
{ got[$1 FS $2 FS $3] = 1; gotl[$1] = gotl[$1] $1 FS $2 FS $3 SUBSEP }
function judge(c, k, kind,    key) {
    key = k FS kind
    if (key in known) { nknown[c]++; seen_known[key] = 1; return }
    if (key in pend) { npend[c]++; seen_pend[key] = 1; pnote[c] = pnote[c] "#   pending " kind ": " k "\n"; return }
    nbad[c]++; nbad_kind[kind]++
    bad[c] = bad[c] "#   " kind ": " k "\n"
}
END {
    for (i = 1; i <= n; i++) {
        c = order[i]
        m = split(expl[c], ks, SUBSEP)
        for (j = 1; j < m; j++) {
            if (ks[j] in got) { nmatch[c]++; tot_match++ } else { nmiss[c]++; tot_miss++; judge(c, ks[j], "missing") }
        }
        m = split(gotl[c], ks, SUBSEP)
        for (j = 1; j < m; j++) {
            split(ks[j], p, FS)
            if (!(ks[j] in expd) && ((c FS p[2]) in cover)) { nextra[c]++; tot_extra++; judge(c, ks[j], "extra") }
        }
        line = sprintf("%s: %d matched, %d missing, %d extra (%d known, %d pending)", c,
                       nmatch[c], nmiss[c], nextra[c], nknown[c], npend[c])
        if (status[c] != "0") {
            print "not ok - " line "; mekong exit: " status[c] > out
        } else if (nbad[c] > 0) {
            print "not ok - " line "; " nbad[c] " not listed" > out
            printf "%s", bad[c] > out
        } else {
            print "ok - " line > out
        }
        printf "%s", pnote[c] > out
        tot_known += nknown[c]; tot_pend += npend[c]
    }
    # Entries of captures that were not compared here (shared data absent) are not stale.
    for (k in known) if (!(k in seen_known) && (substr(k, 1, index(k, FS) - 1) in status))
        print "# stale known difference (no longer seen): " k > out
    for (k in pend) if (!(k in seen_pend) && (substr(k, 1, index(k, FS) - 1) in status))
        print "# pending bug no longer seen (fixed? remove it): " k > out
    printf "# summary: %d captures, %d oracle values matched, %d missing, %d extra; %d known, %d pending, %d unlisted (%d missing, %d extra)\n",
        n, tot_match, tot_miss, tot_extra, tot_known, tot_pend, nbad_kind["missing"] + nbad_kind["extra"],
        nbad_kind["missing"], nbad_kind["extra"] > out
}' "$TMP/known.tsv" "$TMP/pending.tsv" "$TMP/status.tsv" "$TMP/exp.tsv" "$TMP/got.tsv"

# Feed the per-capture verdicts through lib.sh's counters so finish() sees them.
while IFS= read -r line; do
    case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "not ok - "*) not_ok "${line#not ok - }" ;;
        *) echo "$line" ;;
    esac
done <"$TMP/report"

# Show the first lines of stderr of captures mekong failed on (crash, sanitizer).
i=0
while IFS= read -r capid; do
    i=$((i + 1))
    if [ "$(cat "$TMP/run/$i.rc" 2>/dev/null || echo 127)" != 0 ] || grep -qE 'Sanitizer|runtime error' "$TMP/run/$i.err"; then
        echo "# $capid stderr:"
        head -5 "$TMP/run/$i.err" | sed 's/^/#   /'
    fi
done <"$TMP/caps.tsv"

finish
