# Shell functions of the netperf guest's boot script (busybox ash).
# Kept apart from rc so that the build host's unit tests can run them.

NETPERF_CMDLINE=${NETPERF_CMDLINE:-/proc/cmdline}
NETPERF_MODULES=${NETPERF_MODULES:-/lib/modules/netperf}
NETPERF_SYS=${NETPERF_SYS:-/sys}

say() {
    echo "netperf-guest: $*"
}

# cmdline_param NAME DEFAULT: the value of netperf.NAME= on the kernel
# command line, or DEFAULT.
cmdline_param() {
    value=$2
    read -r words < "$NETPERF_CMDLINE"
    for word in $words; do
        case "$word" in
            netperf.$1=*) value=${word#netperf.$1=} ;;
        esac
    done
    echo "$value"
}

# load_one NAME: insmod a module unless loaded; $MODOPTS_<name> holds its
# parameters.
load_one() {
    [ -d "$NETPERF_SYS/module/$1" ] && return 0
    eval "opts=\${MODOPTS_$1}"
    # shellcheck disable=SC2086
    insmod "$NETPERF_MODULES/$1.ko" $opts || say "cannot load $1"
}

# load_group GROUP: the modules listed, in load order, in
# $NETPERF_MODULES/GROUP.
load_group() {
    [ -f "$NETPERF_MODULES/$1" ] || { say "no module group $1"; return 1; }
    for name in $(cat "$NETPERF_MODULES/$1"); do
        load_one "$name"
    done
}

# load_module NAME: a module after the modules it needs.
load_module() {
    for name in $(cat "$NETPERF_MODULES/deps/$1"); do
        load_one "$name"
    done
}

# coldplug GROUP BUS [MODULES]: load the drivers of GROUP whose aliases
# match a device present on BUS (pci, virtio), as udev would; only those
# named in MODULES (space-separated) when given.  One awk matches every
# alias: a shell loop over a few hundred patterns per device takes a
# second under TCG.
coldplug() {
    [ -f "$NETPERF_MODULES/aliases.$1" ] || return 0
    for module in $(cat "$NETPERF_SYS"/bus/"$2"/devices/*/modalias \
            2>/dev/null | awk -v only=" $3 " '
        function regex(glob,    out, i, c) {
            out = "^"
            for (i = 1; i <= length(glob); i++) {
                c = substr(glob, i, 1)
                if (c == "*") out = out ".*"
                else if (c == "?") out = out "."
                else if (c ~ /[.+^$(){}|\\]/) out = out "\\" c
                else out = out c
            }
            return out "$"
        }
        BEGIN { gsub(/[ \t\n]+/, " ", only) }
        FNR == NR {
            if (only == " " || index(only, " " $2 " ")) {
                n++; pattern[n] = regex($1); module[n] = $2
            }
            next
        }
        {
            for (i = 1; i <= n; i++)
                if ($0 ~ pattern[i] && !(module[i] in seen)) {
                    seen[module[i]] = 1
                    print module[i]
                }
        }' "$NETPERF_MODULES/aliases.$1" -); do
        load_module "$module"
    done
}

# json_string KEY FILE: the first string value of "KEY" in a one-line
# JSON document (what Nova writes), escapes \n and \/ undone.
json_string() {
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" "$2" | head -n 1
}

# openstack_keys FILE: the public keys of an OpenStack meta_data.json,
# one a line.
openstack_keys() {
    awk '{
        if (!match($0, /"public_keys": *\{[^}]*\}/)) next
        s = substr($0, RSTART, RLENGTH)
        sub(/^"public_keys": *\{/, "", s)
        while (match(s, /"[^"]*": *"[^"]*"/)) {
            kv = substr(s, RSTART, RLENGTH)
            s = substr(s, RSTART + RLENGTH)
            sub(/^"[^"]*": *"/, "", kv)
            sub(/"$/, "", kv)
            gsub(/\\n/, "\n", kv)
            gsub(/\\\//, "/", kv)
            print kv
        }
    }' "$1" | grep -v '^ *$'
}

# prefix_of NETMASK: 255.255.255.0 -> 24.
prefix_of() {
    bits=0
    for octet in $(echo "$1" | tr . ' '); do
        while [ "$octet" -gt 0 ]; do
            bits=$((bits + (octet & 1)))
            octet=$((octet >> 1))
        done
    done
    echo "$bits"
}

# wait_carrier DEV TENTHS: until DEV has a link, at most TENTHS/10 s.
wait_carrier() {
    tries=$2
    while [ "$tries" -gt 0 ]; do
        state=
        read -r state < "/sys/class/net/$1/carrier" 2>/dev/null
        [ "$state" = 1 ] && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    return 1
}

uptime_s() {
    read -r up _ < /proc/uptime
    echo "${up%%.*}"
}
