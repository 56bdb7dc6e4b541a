# SPDX-License-Identifier: MIT
# The docs against the tree: the README's layout table and every relative
# Markdown link.

INTEGRATION_TESTS += tests/docs/check_docs.py tests/docs/man_test.sh
INTEGRATION_DEPS += man
