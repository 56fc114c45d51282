#!/bin/bash
# test-client-man.sh MANPAGE TOOL: vdsm-client(1) renders without a single
# groff warning, and documents exactly the options the tool has. TAP output.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u

page=$1
tool=$2
n=0
failed=0

result() {
    n=$((n + 1))
    if [[ -z $2 ]]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1: $2"
        failed=$((failed + 1))
    fi
}

# All of groff's warnings (-ww), as man(1) would format it.
warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
status=$?
result "groff -man -ww renders it silently" \
    "$([[ $status -ne 0 || -n $warnings ]] && echo "status $status: $warnings")"

if command -v man >/dev/null; then
    text=$(MANWIDTH=80 man --warnings=w -l "$page" 2>&1 >/dev/null)
    result "man -l renders it silently" "$text"
    rendered=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
    problem=''
    grep -Eq 'vdsm-client +- +call a method' <<<"$rendered" || problem+=' no NAME line;'
    grep -q '@VERSION@' <<<"$rendered" && problem+=' version not filled in;'
    result "man -l shows it" "$problem"
fi

# The tool's options, as its completion offers them, and those of the
# page's OPTIONS section.
tool_options=$("$tool" --complete 1 vdsm-client -- | tail -n +2 | LC_ALL=C sort -u)
page_options=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$page" |
    grep -Eo '\\-\\-[a-z]([a-z]|\\-)*' | sed 's/\\-/-/g' | LC_ALL=C sort -u)

missing=$(comm -23 <(echo "$tool_options") <(echo "$page_options") | tr '\n' ' ')
result "every option of the tool is documented" "${missing:+undocumented: $missing}"
extra=$(comm -13 <(echo "$tool_options") <(echo "$page_options") | tr '\n' ' ')
result "every option documented is the tool's" "${extra:+unknown to the tool: $extra}"

echo "1..$n"
[[ $failed -eq 0 ]]
