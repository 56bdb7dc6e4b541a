#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages as they are installed ($BUILD/man, @VERSION@ filled in):
# every tracked page is built, passes `mandoc -T lint` without a message,
# and documents every option of its program's --help (lgrun, lgtrace,
# lgbench), every function and setting of lgalloc.h (lgalloc(3)).  The C
# code after a `.\" example: NAME.c` comment (the next .EX/.EE block) is
# compiled against the built library with the project's warnings and run;
# its output must be the block after `.\" output: NAME.c`, and each code
# line must read the same in mandoc's rendering as in the extracted file.
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
check "examples found in lgalloc(3) and lgalloc(7)" [ "$examples" -ge 2 ]

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

# lgalloc(3): every function of the public headers in NAME and SYNOPSIS and
# with a subsection, every field of struct lgalloc_config described.
page=$BUILD/man/lgalloc.3
missing=""
for fn in $(grep -ohE '\<lgalloc_[a-z_]+\(' lib/include/lgalloc.h lib/include/lgalloc/registry.h | tr -d '(' | sort -u); do
	sed -n '/^\.SH NAME/,/^\.SH/p' "$page" | grep -qw "$fn" || missing="$missing $fn(NAME)"
	sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$page" | grep -q "$fn(" || missing="$missing $fn(SYNOPSIS)"
	grep -q "^\.SS .*$fn()" "$page" || missing="$missing $fn(.SS)"
done
for field in $(sed -n '/^struct lgalloc_config {/,/^};/p' lib/include/lgalloc.h |
	sed -n 's/^[[:space:]]*\(int\|long\) \([a-z_]*\);.*/\2/p'); do
	grep -q "^\.IR $field " "$page" || missing="$missing config.$field"
done
check "lgalloc.3 documents every function and configuration field" [ -z "$missing" ]
[ -z "$missing" ] || echo "# missing:$missing"
done_testing
