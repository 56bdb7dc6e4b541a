#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The dependency arrows of a build, read from its objects with nm: an
# object that leaves a symbol undefined (nm -u) which another object
# defines depends on that object.
#
#   scripts/check-layout.sh [-v] [-s SRC_DIR] BUILD_DIR
#
# Prints the library's file-to-file arrows (lib/src/*.o) and the arrows
# between groups of objects, then checks that
#   - the library's files have no call cycle;
#   - only os.o makes the memory system calls (mmap, munmap, madvise), and
#     only init.o installs fork handlers (pthread_atfork);
#   - the library references no other group;
#   - common/ (the helper layer, $BUILD/common or $BUILD/obj/common)
#     references nothing defined in bench/ or tools/;
#   - the programs (bench/, each tools/<tool>/) reference nothing of each
#     other's; objects directly under tools/ are shared by the tools;
#   - the preload library (preload/) references nothing in bench/ or
#     tools/, and nothing references it: its exports are libc's malloc
#     family, which it interposes, so an undefined malloc elsewhere is an
#     arrow to libc, not to it.  (Its private copy of the library,
#     preload/private/, is the library's objects again and is skipped.)
# -v also lists the symbols behind each arrow.  An object whose source is
# not in SRC_DIR (default: this script's tree) is left over from a rename
# and skipped.  Exit status 1 names every broken rule, 2 is a usage error.
set -euo pipefail

usage() {
	echo "usage: $0 [-v] [-s SRC_DIR] BUILD_DIR" >&2
	exit 2
}
verbose=0
root=$(cd "$(dirname "$0")/.." && pwd)
while getopts vs: opt; do
	case $opt in
	v) verbose=1 ;;
	s) root=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	usage
fi
build=${1%/}

# "GROUP OBJECT" for every object of the build, the group being the
# directory that names the object's job.
list_objects() {
	local o rel group
	find "$build" -name '*.o' ! -name '*.bpf.o' | sort | while read -r o; do
		rel=${o#"$build"/}
		rel=${rel#obj/}
		case $rel in
		lib/src/*) group=lib ;;
		common/*) group=common ;;
		preload/*/*) continue ;;
		preload/*) group=preload ;;
		bench/*) group=bench ;;
		tools/*/*) group=tools/$(echo "$rel" | cut -d/ -f2) ;;
		tools/*) group=tools ;;
		*) continue ;;
		esac
		if [ -e "$root/${rel%.o}.c" ]; then
			echo "$group $o"
		else
			echo "check-layout: skipping $o: no ${rel%.o}.c (stale object?)" >&2
		fi
	done
}

# "GROUP OBJECT D|U SYMBOL" for every global symbol an object defines or
# leaves undefined (weak references count as undefined).
list_symbols() {
	local group o
	while read -r group o; do
		nm -P "$o" | awk -v g="$group" -v o="$o" '
			$2 == "U" || $2 == "w" || $2 == "v" { print g, o, "U", $1; next }
			$2 ~ /^[A-Zui]$/ { print g, o, "D", $1 }'
	done
}

objects=$(list_objects)
if ! grep -q '^lib ' <<<"$objects"; then
	echo "check-layout: no library objects under $build/lib/src (build first)" >&2
	exit 2
fi

list_symbols <<<"$objects" | awk -v verbose="$verbose" '
function short(o) { sub(/.*\//, "", o); sub(/\.o$/, "", o); return o }
function add(list, item) { return index(" " list " ", " " item " ") ? list : (list == "" ? item : list " " item) }
function sorted(list, n, a, i, j, t, out) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	for (i = 1; i <= n; i++)
		out = out (i > 1 ? " " : "") a[i]
	return out
}
function fail(msg) { fails = fails "FAIL: " msg "\n" }
# Depth-first search over the library arrows; every back edge closes a
# cycle: the stack from its target up to here.
function dfs(f, n, i, t, k, c) {
	color[f] = 1
	stack[++depth] = f
	n = split(lib_to[f], t, " ")
	for (i = 1; i <= n; i++) {
		if (color[t[i]] == 1) {
			for (k = 1; k <= depth && stack[k] != t[i]; k++)
				;
			c = ""
			for (; k <= depth; k++)
				c = c stack[k] " -> "
			fail("library call cycle: " c t[i])
		} else if (!color[t[i]])
			dfs(t[i])
	}
	depth--
	color[f] = 2
}
BEGIN {
	split("malloc free calloc realloc reallocarray posix_memalign aligned_alloc memalign valloc pvalloc malloc_usable_size", mf, " ")
	for (i in mf)
		malloc_family[mf[i]] = 1
}
{ group[$2] = $1 }
$3 == "D" {
	def[$4] = def[$4] SUBSEP $2
	gdef[$1, $4] = 1
	if (!($1 in groups)) {
		groups[$1] = 1
		gnames = add(gnames, $1)
	}
	if ($1 == "lib")
		libfiles = add(libfiles, short($2))
}
$3 == "U" { nu++; ug[nu] = $1; uo[nu] = $2; us[nu] = $4 }
END {
	for (i = 1; i <= nu; i++) {
		g = ug[i]; o = uo[i]; s = us[i]
		if (g == "lib" && (s == "mmap" || s == "munmap" || s == "madvise") && short(o) != "os")
			fail(short(o) ".o calls " s "(): the library reaches the kernel through os.c")
		if (g == "lib" && s == "pthread_atfork" && short(o) != "init")
			fail(short(o) ".o calls pthread_atfork(): subsystems register their fork hooks with init.c")
		if (!(s in def))
			continue
		if (g != "preload" && s in malloc_family)
			continue
		n = split(def[s], d, SUBSEP)
		for (j = 2; j <= n; j++) {
			if (d[j] == o)
				continue
			h = group[d[j]]
			if (g == "lib" && h == "lib") {
				a = short(o); b = short(d[j])
				lib_to[a] = add(lib_to[a], b)
				lib_sym[a, b] = add(lib_sym[a, b], s)
			}
			# A symbol its own group defines is resolved there.
			if (h != g && !((g, s) in gdef)) {
				garrow[g, h] = add(garrow[g, h], s)
				gto[g] = add(gto[g], h)
			}
		}
	}

	print "library (lib/src) file arrows:"
	nf = split(libfiles, files, " ")
	for (i = 1; i <= nf; i++) {
		f = files[i]
		lib_to[f] = sorted(lib_to[f])
		printf "  %-14s -> %s\n", f, lib_to[f] == "" ? "(none)" : lib_to[f]
		if (verbose) {
			nt = split(lib_to[f], t, " ")
			for (k = 1; k <= nt; k++)
				printf "      %s: %s\n", t[k], lib_sym[f, t[k]]
		}
	}
	print "group arrows:"
	ng = split(gnames, gl, " ")
	for (m = 1; m <= ng; m++) {
		g = gl[m]
		if (gto[g] == "")
			continue
		gto[g] = sorted(gto[g])
		printf "  %-14s -> %s\n", g, gto[g]
		if (verbose) {
			nt = split(gto[g], t, " ")
			for (k = 1; k <= nt; k++)
				printf "      %s: %s\n", t[k], garrow[g, t[k]]
		}
	}

	for (i = 1; i <= nf; i++)
		if (!color[files[i]])
			dfs(files[i])
	for (m = 1; m <= ng; m++) {
		g = gl[m]
		nt = split(gto[g], t, " ")
		for (k = 1; k <= nt; k++) {
			h = t[k]
			prog_g = g == "bench" || g ~ /^tools/
			prog_h = h == "bench" || h ~ /^tools/
			why = ""
			if (g == "lib")
				why = "the library depends on nothing but libc and liburing"
			else if (g == "common" && prog_h)
				why = "common/ is below the programs"
			else if (prog_g && prog_h && !(g ~ /^tools\// && h == "tools"))
				why = "programs share code only through common/"
			else if (h == "preload")
				why = "nothing links the preload library"
			else if (g == "preload" && prog_h)
				why = "the preload library uses only the library and common/"
			if (why != "")
				fail(g " -> " h " (" garrow[g, h] "): " why)
		}
	}
	if (fails != "") {
		printf "%s", fails
		exit 1
	}
	print "ok: no library cycle, no forbidden arrow"
}'
