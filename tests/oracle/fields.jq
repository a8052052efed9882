# Shared jq definitions for the oracle field extractors (make_tshark.sh, mekong_fields.sh,
# yaml expectations). One copy of the normalisation, so both sides of the comparison are
# normalised identically: a difference between the two scripts' rules would show up as
# a false disagreement (or hide a real one).

# One TSV-safe cell: the file format is "<field>\t<value>" per line, so tabs and line
# breaks inside a value (a User-Agent may hold anything) are escaped, and so is the
# backslash that introduces the escapes.
def cell: gsub("\\\\"; "\\\\") | gsub("\t"; "\\t") | gsub("\n"; "\\n") | gsub("\r"; "\\r");

# DNS names, SNI: compared lower-case without a trailing dot, the canonical form the
# indicator engine matches in (clarifications, Issue 4); case is not load-bearing there.
def name_norm: ascii_downcase | sub("\\.+$"; "");

# HTTP host as Suricata's http.hostname (libhtp htp_normalize_hostname): lower-case,
# port stripped, trailing dots removed; a bracketed IPv6 literal keeps its brackets. A
# value with several colons and no brackets is a bare IPv6 address (mekong logs IPv6
# hosts unbracketed), whose last group is not a port.
def host_norm:
  ascii_downcase
  | gsub("^\\s+|\\s+$"; "")
  | if startswith("[") then sub("\\]:[0-9]*$"; "]")
    elif test("^[^:]*:[0-9]*$") then sub(":[0-9]*$"; "")
    else . end
  | sub("\\.+$"; "");

# "field\tvalue" with empty values dropped: an empty string carries no oracle value.
def line($f): select(. != null) | tostring | select(length > 0) | "\($f)\t\(cell)";
