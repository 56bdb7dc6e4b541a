#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages as they are installed ($BUILD/man, @VERSION@ filled in):
# every tracked page is built, passes `mandoc -T lint` without a message,
# and documents every option of its program's --help (lgrun, lgtrace,
# lgbench); every function of lgalloc.h and exported symbol has a page
# (lib/man/) with the usual sections, every setting and counter is
# described, every error code listed.  The C code after a
# `.\" example: NAME.c` comment (the next .EX/.EE block) is compiled against
# the built library with the project's warnings and run; its output must be
# the block after `.\" output: NAME.c`, and each code line must read the
# same in mandoc's rendering as in the extracted file.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v mandoc >/dev/null; then
	fail "mandoc is installed" "no mandoc: scripts/install-deps.sh installs it (package mandoc)"
	done_testing
fi

# The page's built copy for a tracked source: tools/lgrun/lgrun.1 -> lgrun.1
sources=$(git ls-files --cached --others --exclude-standard '*.[1-8]')
[ -n "$sources" ] || fail "man page sources found" "git ls-files '*.[1-8]' is empty"
for src in $sources; do
	page=$BUILD/man/${src##*/}
	if [ ! -f "$page" ]; then
		fail "$src is built" "no $page (make man)"
		continue
	fi
	out=$(mandoc -T lint -W style "$page" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$out" ]; then
		pass "mandoc -T lint ${src##*/}"
	else
		fail "mandoc -T lint ${src##*/}" "$out"
	fi
	check "${src##*/}: @VERSION@ filled in" sh -c '! grep -q "@VERSION@" "$0" && grep -q "\"lgalloc $1\"" "$0"' \
		"$page" "$(make -s print-version)"
done

# roff escapes the examples use, back to C.
unroff() { sed -e 's/\\e/\\/g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g'; }
# block PAGE KIND NAME: the .EX/.EE block after `.\" KIND: NAME`
block() {
	awk -v mark=".\\\\\" $2: $3" 'index($0, mark) == 1 {grab = 1; next}
		grab && /^\.EX/ {on = 1; next} on && /^\.EE/ {exit} on' "$1" | unroff
}
trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'; }

examples=0
for page in "$BUILD"/man/*; do
	for name in $(sed -n 's/^\.\\" example: \([A-Za-z0-9_]*\.c\).*/\1/p' "$page"); do
		examples=$((examples + 1))
		block "$page" example "$name" >"$tmp/$name"
		block "$page" output "$name" >"$tmp/$name.want"
		if [ ! -s "$tmp/$name" ] || [ ! -s "$tmp/$name.want" ]; then
			fail "${page##*/} $name: example and its output extracted"
			continue
		fi
		mandoc -T ascii -O width=200 "$page" | sed 's/.\x08//g' | trim >"$tmp/rendered"
		missing=$(trim <"$tmp/$name" | grep -Fxv -f "$tmp/rendered")
		check "${page##*/} $name: the extracted code is what the page shows" [ -z "$missing" ]
		[ -z "$missing" ] || sed "s/^/# not rendered: /" <<<"$missing"
		if cc -std=gnu11 -Wall -Wextra -Werror -Ilib/include "$tmp/$name" -L"$BUILD/lib" -llgalloc \
			-o "$tmp/${name%.c}" 2>"$tmp/log"; then
			pass "${page##*/} $name compiles"
		else
			fail "${page##*/} $name compiles" "$(cat "$tmp/log")"
			continue
		fi
		if env -u LGALLOC_CHECKED LD_LIBRARY_PATH="$BUILD/lib" "$tmp/${name%.c}" >"$tmp/$name.out" 2>"$tmp/log"; then
			if diff -u "$tmp/$name.want" "$tmp/$name.out" >"$tmp/diff"; then
				pass "${page##*/} $name runs and prints the output shown"
			else
				fail "${page##*/} $name runs and prints the output shown" "$(cat "$tmp/diff")"
			fi
		else
			fail "${page##*/} $name runs" "$(cat "$tmp/log")"
		fi
	done
done
check "examples found" [ "$examples" -ge 2 ]

# The source form of an option: --make-swap is \-\-make\-swap in roff.
roff_opt() { sed 's/-/\\\\-/g' <<<"$1"; }
for prog in tools/lgrun/lgrun:lgrun.1 tools/lgtrace/lgtrace:lgtrace.8 bench/lgbench:lgbench.1; do
	bin=$BUILD/${prog%%:*}
	page=$BUILD/man/${prog##*:}
	missing=""
	for opt in $("$bin" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -q -- "$(roff_opt "$opt")" "$page" || missing="$missing $opt"
	done
	check "${page##*/} documents every option of ${bin##*/} --help" [ -z "$missing" ]
	[ -z "$missing" ] || echo "# missing:$missing"
done

# The library's pages (lib/man/): lgalloc(3), the map, and a page per
# function or exported object; several functions may share a page, whose
# other names make install links to it (make print-man-links: NAME:PAGE).
links=$(make -s print-man-links)
# The page `man 3 NAME` opens, from the built pages and the links; empty if none.
page_for() {
	if [ -f "$BUILD/man/$1.3" ]; then
		echo "$BUILD/man/$1.3"
		return
	fi
	local l
	l=$(grep -m1 "^$1\.3:" <<<"$links") || return 0
	[ -f "$BUILD/man/${l#*:}" ] && echo "$BUILD/man/${l#*:}"
}
# The names of a page's NAME section (before \-).
names_of() {
	sed -n '/^\.SH NAME/,/^\.SH/{/^\.SH/d;p}' "$1" | tr '\n' ' ' | sed 's/\\-.*//' | tr -d ',' | tr -s ' ' '\n' | sed '/^$/d'
}
section_text() { awk -v s="$2" '/^\.SH / {on = ($0 == ".SH " s); next} on' "$1"; }

# Every name of every page's NAME section is the page or a link to it, and
# every link's name is in its page's NAME section.
bad=""
for page in "$BUILD"/man/lgalloc*.3; do
	base=${page##*/}
	for n in $(names_of "$page"); do
		[ "$n" = "${base%.3}" ] || grep -qx "$n.3:$base" <<<"$links" || bad="$bad $base:$n"
	done
done
for l in $links; do
	names_of "$BUILD/man/${l#*:}" 2>/dev/null | grep -qx "${l%%.3:*}" || bad="$bad link:$l"
done
check "each name in a page's NAME section is the page or a link to it, and back" [ -z "$bad" ]
[ -z "$bad" ] || echo "# not so:$bad"

# Every function of the public headers and every symbol the shared library
# exports has a page (man 3 NAME finds it).
functions=$(grep -ohE '\<lgalloc_[a-z_]+\(' lib/include/lgalloc.h lib/include/lgalloc/registry.h | tr -d '(' | sort -u)
symbols=$(nm -D --defined-only "$BUILD/lib/liblgalloc.so" | awk '$3 ~ /^lgalloc_/ {sub(/@.*/, "", $3); print $3}' | sort -u)
missing=""
for n in $functions $symbols; do
	[ -n "$(page_for "$n")" ] || missing="$missing $n"
done
check "every function of lgalloc.h and every exported lgalloc_* symbol has a page" [ -n "$functions" -a -n "$symbols" -a -z "$missing" ]
[ -z "$missing" ] || echo "# no page:$missing"

# A function's page: the standard sections, each of its functions in the
# SYNOPSIS, and an example (which the loop above compiled and ran).
for n in $functions; do
	page=$(page_for "$n")
	[ -n "$page" ] || continue
	missing=""
	for sec in NAME LIBRARY SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS ATTRIBUTES VERSIONS EXAMPLES "SEE ALSO"; do
		grep -qx "\.SH $sec" "$page" || missing="$missing .SH:$sec"
	done
	section_text "$page" SYNOPSIS | grep -q "$n(" || missing="$missing SYNOPSIS:$n"
	grep -q '^\.\\" example: ' "$page" || missing="$missing example"
	check "${page##*/} documents $n: sections, synopsis, example" [ -z "$missing" ]
	[ -z "$missing" ] || echo "# missing:$missing"
done
for page in "$BUILD"/man/lgalloc*.[37]; do
	check "${page##*/} has an example that is compiled and run" grep -q '^\.\\" example: ' "$page"
done

# Every setting of struct lgalloc_config in lgalloc_configure(3), every
# counter of struct lgalloc_class_stats in lgalloc_stats(3), each as a
# tagged paragraph of its own.
missing=""
for field in $(sed -n '/^struct lgalloc_config {/,/^};/p' lib/include/lgalloc.h |
	sed -n 's/^[[:space:]]*\(int\|long\) \([a-z_]*\);.*/\2/p'); do
	grep -q "^\.IR $field " "$BUILD/man/lgalloc_configure.3" || missing="$missing config.$field"
done
for field in $(sed -n '/^struct lgalloc_class_stats {/,/^};/p' lib/include/lgalloc.h |
	sed -n 's/^[[:space:]]*size_t \([a-z_0-9]*\);.*/\1/p'); do
	grep -q "^\.I $field$" "$BUILD/man/lgalloc_stats.3" || missing="$missing stats.$field"
done
check "every configuration field and class counter documented" [ -z "$missing" ]
[ -z "$missing" ] || echo "# missing:$missing"

# Every error code lgalloc.h lists is in lgalloc(3)'s ERRORS and in the
# ERRORS of the page of some function that returns it.
codes=$(sed -n '/^ \* Every function returns/,/^ \*\//p' lib/include/lgalloc.h | grep -oE '^ \*   -[A-Z_]+' | sed 's/^ \*   -//' | grep -v '^errno$')
missing=""
for c in $codes; do
	section_text "$BUILD/man/lgalloc.3" ERRORS | grep -q "^\.BR* $c\>" || missing="$missing lgalloc.3:$c"
	found=0
	for page in "$BUILD"/man/lgalloc_*.3; do
		section_text "$page" ERRORS | grep -q "\\\\-$c\>" && found=1
	done
	[ $found = 1 ] || missing="$missing functions:$c"
done
check "every error code of lgalloc.h is in lgalloc(3) and a function's ERRORS" [ -n "$codes" -a -z "$missing" ]
[ -z "$missing" ] || echo "# missing:$missing"
done_testing
