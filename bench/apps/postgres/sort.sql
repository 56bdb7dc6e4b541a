-- SPDX-License-Identifier: MIT
-- bench/apps/postgres.sh: large in-memory sorts.  Each query sorts every
-- row of t (a Sort node: tuplesort's array of SortTuples, 24 bytes a row,
-- grows by doubling with repalloc_huge; its tuples in 8 MiB blocks) and
-- prints a checksum that depends on the order.  work_mem is large enough
-- that no sort spills to disk (postgres.sh fails on any temporary file).
SET work_mem = '1GB';
SET max_parallel_workers_per_gather = 0;
-- by a bigint key
SELECT 'sort-s', count(*), md5(string_agg(k::text, ','))
	FROM (SELECT k FROM t ORDER BY s, k) AS q;
-- by a text key (C collation: memcmp)
SELECT 'sort-v', count(*), md5(string_agg(k::text, ','))
	FROM (SELECT k FROM t ORDER BY v DESC) AS q;
-- a window over the whole sorted table
SELECT 'window', sum(rn * (k % 1009)), max(rn)
	FROM (SELECT k, row_number() OVER (ORDER BY v, k) AS rn FROM t) AS q;
