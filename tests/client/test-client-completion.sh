#!/bin/bash
# test-client-completion.sh TOOL COMPLETION_SCRIPT: vdsm-client's bash
# completion, its function run the way bash runs it, against the built tool.
# TAP output.
#
# bash splits the line into COMP_WORDS at blanks and also at its word break
# characters ('=' and ':' among them), a run of break characters making a
# word of its own: `a onlyUUID=t` is (a onlyUUID = t), `-a ::1` is
# (-a :: 1), and a line ending in a blank has an empty last word. split_line
# does the same (checked against interactive bash 5.2 in a pty).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u

tool=$1
source "$2"

n=0
failed=0

# What compopt was asked for by the last completion (outside of a real
# completion bash refuses compopt).
nospace=0
filenames=0
compopt() {
    case "$*" in
    *nospace*) nospace=1 ;;
    *filenames*) filenames=1 ;;
    esac
}

split_line() {
    local line=$1 i c kind word='' last=''
    COMP_WORDS=()
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        if [[ $c == [[:space:]] ]]; then
            kind=blank
        elif [[ $c == [=:] ]]; then
            kind=break
        else
            kind=text
        fi
        if [[ -n $word && ($kind != "$last" || $kind == blank) ]]; then
            COMP_WORDS+=("$word")
            word=''
        fi
        [[ $kind != blank ]] && word+=$c
        last=$kind
    done
    if [[ -n $word ]]; then
        COMP_WORDS+=("$word")
    else
        COMP_WORDS+=('')
    fi
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
}

# complete LINE: runs the completion function at the end of LINE (whose
# first word stands for the tool); the offers in $got, sorted, one a line.
complete_line() {
    local line="$tool ${1#vdsm-client }"
    split_line "$line"
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    nospace=0
    filenames=0
    _vdsm_client
    got=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}

result() {
    n=$((n + 1))
    if [[ -z $2 ]]; then
        echo "ok $n - '$1'"
    else
        echo "not ok $n - '$1': $2"
        failed=$((failed + 1))
    fi
}

# check LINE EXPECTED: the offers are exactly EXPECTED (space-separated).
check() {
    local want
    complete_line "$1"
    want=$(printf '%s\n' $2 | LC_ALL=C sort)
    [[ -z $2 ]] && want=''
    [[ $got == "$want" ]] && result "$1" '' ||
        result "$1" "expected '$2', got '$(echo $got)'"
}

# check_has LINE WORD... : the offers include each WORD, and not a !WORD.
# For what the schema grows (more namespaces, methods, events).
check_has() {
    local line=$1 word problem=''
    shift
    complete_line "$line"
    for word in "$@"; do
        if [[ $word == !* ]]; then
            grep -qxF -- "${word#!}" <<<"$got" && problem+=" offers ${word#!};"
        else
            grep -qxF -- "$word" <<<"$got" || problem+=" lacks $word;"
        fi
    done
    result "$line" "${problem:+$problem offers: $(echo $got)}"
}

# check_flag NAME VALUE: what the last completion asked compopt for.
check_flag() {
    n=$((n + 1))
    if [[ ${!1} == "$2" ]]; then
        echo "ok $n - $1 is $2"
    else
        echo "not ok $n - $1 is ${!1}, expected $2"
        failed=$((failed + 1))
    fi
}

# Registered for the name it is installed as.
n=$((n + 1))
if complete -p vdsm-client | grep -q -- '-F _vdsm_client vdsm-client$'; then
    echo "ok $n - complete -F _vdsm_client vdsm-client"
else
    echo "not ok $n - no completion registered for vdsm-client"
    failed=$((failed + 1))
fi

# Namespaces, and the events command, from the embedded schema.
check_has 'vdsm-client ' Host VM events '!getVMList' '!--host'
check_has 'vdsm-client Ho' Host '!VM' '!events'
check 'vdsm-client nope' ''

# Methods.
check_has 'vdsm-client VM ' destroy getStats '!getVMList'
check 'vdsm-client Host getVML' 'getVMList'
check 'vdsm-client Nope ' ''

# Parameter names, without the ones already given, and no space after '='.
check_has 'vdsm-client Host getVMList ' fullStatus= onlyUUID= vmList=
check_flag nospace 1
check 'vdsm-client Host getVMList on' 'onlyUUID='
check_has 'vdsm-client Host getVMList onlyUUID=true ' fullStatus= vmList= '!onlyUUID='
check 'vdsm-client VM getStats vmID=x ' ''
check 'vdsm-client Host nope ' ''

# Values of booleans: readline completes only what follows '='.
check 'vdsm-client Host getVMList onlyUUID=' 'false true'
check_flag nospace 0
check 'vdsm-client Host getVMList onlyUUID=t' 'true'
check 'vdsm-client VM getStats vmID=' ''

# Options, whose arguments are skipped, and the NAME=VALUE after them.
check 'vdsm-client --ti' '--timeout'
check 'vdsm-client --tls-c' '--tls-ca --tls-cert'
check_has 'vdsm-client -a ::1 -p 54321 --insecure V' VM '!Host'
check 'vdsm-client --timeout=2.5 -f - Host getVMList vm' 'vmList='
check_has 'vdsm-client -- ' Host VM events

# File arguments: bash's own file completion.
here=$(dirname "$2")
check "vdsm-client -f $here/vdsm-client.bash-compl" "$here/vdsm-client.bash-completion"
check_flag filenames 1
check "vdsm-client --tls-ca=$here/vdsm-client.bash-compl" "$here/vdsm-client.bash-completion"
check 'vdsm-client -a ' ''

# Event names for events' patterns.
check_has 'vdsm-client events ' virt.VM_status '!Host'
check_has 'vdsm-client --count 1 events vi' virt.VM_status

echo "1..$n"
[[ $failed -eq 0 ]]
