// SPDX-License-Identifier: MIT
/* Unit tests of common/json.c: the project's JSON layout, reals, escaping, text that is not UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/json.h"

/* What lg_json_dump writes, in a malloc'ed string; steals JSON's reference. */
static char *dump(json_t *json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(json);
	assert_non_null(f);
	assert_int_equal(lg_json_dump(json, f), 0);
	fclose(f);
	json_decref(json);
	return buf;
}

static void test_layout(void **state)
{
	char *out = dump(json_pack("{s:s, s:i, s:n, s:[[I,f]], s:f}", "row", "lgalloc", "threads", 4, "ccdf",
				   "points", (json_int_t)20, 0.98519517, "ops_per_s", 14710052.1));

	(void)state;
	/* One line, ", " and ": ", keys in the order they were set. */
	assert_string_equal(
		out, "{\"row\": \"lgalloc\", \"threads\": 4, \"ccdf\": null, \"points\": [[20, 0.98519517]], "
		     "\"ops_per_s\": 14710052.1}");
	free(out);
}

/* A value of any kind, as a line of lgtrace's document is made of. */
static void test_scalars(void **state)
{
	char *out = dump(json_integer(42));

	(void)state;
	assert_string_equal(out, "42");
	free(out);
	out = dump(json_real(0.2));
	assert_string_equal(out, "0.2");
	free(out);
	out = dump(json_string("a\"b"));
	assert_string_equal(out, "\"a\\\"b\"");
	free(out);
}

static void test_reals(void **state)
{
	char *out = dump(json_pack("[f,f,f,f,f,f]", 0.1, 0.040089, 23.0, 0.0, 1234.5, 0.000133806115));

	(void)state;
	assert_string_equal(out, "[0.1, 0.040089, 23.0, 0.0, 1234.5, 0.000133806115]");
	free(out);
}

static void test_strings(void **state)
{
	json_t *a = json_array();
	char *out;

	(void)state;
	json_array_append_new(a, lg_json_string("say \"hi\"\\ \n\t\x01 /x"));
	json_array_append_new(a, lg_json_string("caf\xc3\xa9"));
	/* Not UTF-8: a lone continuation byte, a truncated sequence, an overlong '/', a surrogate. */
	json_array_append_new(a, lg_json_string("a\x80z"));
	json_array_append_new(a, lg_json_string("b\xc3"));
	json_array_append_new(a, lg_json_string("\xc0\xaf"));
	json_array_append_new(a, lg_json_string("\xed\xa0\x80!"));
	out = dump(a);
	assert_string_equal(out,
			    "[\"say \\\"hi\\\"\\\\ \\n\\t\\u0001 /x\", \"caf\xc3\xa9\", \"a\xef\xbf\xbdz\", "
			    "\"b\xef\xbf\xbd\", \"\xef\xbf\xbd\xef\xbf\xbd\", "
			    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!\"]");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests_name("common/json", tests, NULL, NULL);
}
