-- SPDX-License-Identifier: MIT
-- bench/apps/postgres.sh: hash joins and a hash aggregate with a large
-- work_mem, each in one batch (postgres.sh fails on any temporary file).
-- A hash join keeps its inner side's tuples in 32 KiB chunks and a bucket
-- array of 8 bytes per bucket, one palloc of the next power of two of the
-- inner rows: 32 MiB from 2,097,153 rows on, as in the self-join of the
-- full run.  The aggregate's hash table holds about rows / 2 groups.
SET work_mem = '1GB';
SET max_parallel_workers_per_gather = 0;
SET enable_mergejoin = off;
SET enable_nestloop = off;
-- on an int key, inner side d (rows / 3)
SELECT 'hashjoin', count(*), sum(t.s % 1000003), md5(string_agg(d.w, '' ORDER BY d.k))
	FROM t JOIN d ON d.k = t.k;
-- on a text key
SELECT 'hashjoin-text', count(*), sum(t.k - d.k), sum(length(t.v || d.w))
	FROM t JOIN d ON d.w = reverse(t.v);
-- t with itself: every row of t in the hash table
SELECT 'hashjoin-self', count(*), sum(b.s % 1000003)
	FROM t AS a JOIN t AS b ON a.k = b.k;
SELECT 'hashagg', count(*), sum(n), sum(m)
	FROM (SELECT s % (:rows / 2) AS g, count(*) AS n, max(k) AS m FROM t GROUP BY 1) AS q;
