#!/usr/bin/env bash
# Lint as CI runs it (style.md "Format and lint"): clang-format, banned functions,
# self-contained headers, cppcheck and clang-tidy. Usage: scripts/lint.sh [BUILD_DIR]
# (default build/asan; it must hold compile_commands.json). Exit 1 on any finding.
set -euo pipefail

caller_pwd=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

build_arg=${1:-build/asan}
if [[ -d "$caller_pwd/$build_arg" || "$build_arg" = /* ]]; then
    build=$(cd "$caller_pwd" && cd "$build_arg" && pwd)
else
    build="$root/$build_arg"
fi
db="$build/compile_commands.json"
if [[ ! -f "$db" ]]; then
    echo "lint: $db not found; configure first (cmake --preset asan)" >&2
    exit 2
fi

pick() { # pick NAME...: the first of these programs that is installed
    local p
    for p in "$@"; do
        if command -v "$p" >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    echo "lint: none of $* is installed" >&2
    return 1
}
clang_format=$(pick clang-format-14 clang-format)
clang_tidy=$(pick clang-tidy-14 clang-tidy)
jobs=2

# Tracked and untracked (but not ignored) C sources; deleted files are skipped.
list_files() { # list_files PATHSPEC...
    local f
    if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
        git ls-files --cached --others --exclude-standard -- "$@" | sort -u |
            while IFS= read -r f; do
                [[ -f "$f" ]] && echo "$f"
            done
    else
        local dirs=() p
        for p in "$@"; do
            dirs+=("${p%%/*}")
        done
        find "${dirs[@]}" -name '*.[ch]' -type f 2>/dev/null | sort -u
    fi
}
mapfile -t all_files < <(list_files 'src/*.[ch]' 'tests/*.[ch]' 'fuzz/*.[ch]' 'bench/*.[ch]')
mapfile -t src_c < <(printf '%s\n' "${all_files[@]}" | grep -E '^src/.*\.c$' || true)
mapfile -t src_h < <(printf '%s\n' "${all_files[@]}" | grep -E '^src/.*\.h$' || true)

failed=()
summary=()
t_all=$SECONDS

report() { # report NAME RC DETAIL START
    local took=$((SECONDS - $4))
    if [[ $2 -eq 0 ]]; then
        summary+=("$(printf 'lint: %-16s ok      %s (%ss)' "$1" "$3" "$took")")
    else
        summary+=("$(printf 'lint: %-16s FAILED  %s (%ss)' "$1" "$3" "$took")")
        failed+=("$1")
    fi
}

# (a) Formatting: every C file as .clang-format says.
t=$SECONDS
echo "==== clang-format"
rc=0
if [[ ${#all_files[@]} -gt 0 ]]; then
    "$clang_format" --dry-run --Werror "${all_files[@]}" || rc=1
fi
report clang-format $rc "${#all_files[@]} files" $t

# (b) Banned functions, in code only: comments, string and character literals are
# blanked first (keeping line numbers), then whole identifiers are matched.
t=$SECONDS
echo "==== banned functions"
rc=0
perl -e '
    my $banned = qr/\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|rand|alloca)\b/;
    my $found = 0;
    for my $file (@ARGV) {
        open(my $fh, "<", $file) or die "$file: $!";
        local $/;
        my $text = <$fh>;
        close($fh);
        $text =~ s{(/\*.*?\*/)|(//[^\n]*)|("(?:\\.|[^"\\\n])*")|(\x27(?:\\.|[^\x27\\\n])*\x27)}
                  { defined $1 ? ($1 =~ s/[^\n]//gr) : defined $2 ? "" : "\"\"" }gse;
        my $n = 0;
        for my $line (split /\n/, $text, -1) {
            $n++;
            next if $line =~ /^\s*#\s*include/;
            while ($line =~ /$banned/g) {
                print "$file:$n: banned function $1()\n";
                $found = 1;
            }
        }
    }
    exit $found;
' "${all_files[@]}" || rc=1
report banned-functions $rc "${#all_files[@]} files" $t

# (c) Every header compiles on its own, with the project's warnings (taken from
# cmake/flags.cmake so the two cannot drift apart).
t=$SECONDS
echo "==== self-contained headers"
rc=0
mapfile -t warn_flags < <(awk '/^add_compile_options\(/,/\)/' cmake/flags.cmake |
    grep -oE -- '-W[A-Za-z0-9=_-]+|-f[A-Za-z0-9=_-]+')
mapfile -t defs < <(awk '/^add_compile_definitions\(/,/\)/' cmake/flags.cmake |
    sed -E 's/add_compile_definitions\(|\)//g' | tr ' ' '\n' | grep -E '^[A-Za-z_]' | sed 's/^/-D/')
for h in "${src_h[@]}"; do
    gcc -std=c11 -fsyntax-only "${warn_flags[@]}" "${defs[@]}" -Isrc -x c "$h" || {
        echo "$h: does not compile on its own"
        rc=1
    }
done
report headers $rc "${#src_h[@]} headers" $t

# (d) cppcheck over src/ only (tests and fuzz harnesses are in the database too).
t=$SECONDS
echo "==== cppcheck"
rc=0
mkdir -p "$build/cppcheck"
# cppcheck shows paths inside the working directory relative to it, and the filter
# matches the path as shown: give both forms.
cppcheck --project="$db" --file-filter='src/*' --file-filter="$root/src/*" \
    --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
    --suppress=missingIncludeSystem --cppcheck-build-dir="$build/cppcheck" -j"$jobs" --quiet \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' || rc=1
report cppcheck $rc "src/" $t

# (e) clang-tidy with .clang-tidy on every src/ .c file the database knows.
t=$SECONDS
echo "==== clang-tidy"
rc=0
mapfile -t tidy_files < <(for f in "${src_c[@]}"; do
    grep -qF "\"$root/$f\"" "$db" && echo "$f"
done)
missing=$((${#src_c[@]} - ${#tidy_files[@]}))
if [[ $missing -gt 0 ]]; then
    echo "lint: $missing src/ file(s) not in $db (not built): skipped by clang-tidy"
fi
if [[ ${#tidy_files[@]} -gt 0 ]]; then
    # One file per process: clang-tidy 14 reports false valist.Uninitialized errors
    # when one process analyses several files. The database was written for gcc:
    # clang ignores the flags it does not know.
    # Each file's report goes to its own log so parallel runs do not interleave.
    logs=$(mktemp -d)
    export clang_tidy build logs
    # shellcheck disable=SC2016 # the inner bash expands them, from the environment
    printf '%s\n' "${tidy_files[@]}" |
        xargs -P"$jobs" -I{} bash -c '"$clang_tidy" -p "$build" --quiet \
            --extra-arg=-Wno-unknown-warning-option \
            --extra-arg=-Wno-unused-command-line-argument \
            "$1" >"$logs/${1//\//_}.log" 2>&1' _ {} || rc=1
    cat "$logs"/*.log | grep -vE '^[0-9]+ warnings?( and [0-9]+ errors?)? generated\.$' || true
    rm -rf "$logs"
fi
report clang-tidy $rc "${#tidy_files[@]} files" $t

echo
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "lint: FAILED (${failed[*]}) in $((SECONDS - t_all))s"
    exit 1
fi
echo "lint: all checks passed in $((SECONDS - t_all))s"
