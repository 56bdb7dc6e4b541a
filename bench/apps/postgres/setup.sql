-- SPDX-License-Identifier: MIT
-- bench/apps/postgres.sh: the tables (psql variable rows).
--   t: rows rows: k 1..rows, s a pseudo-random bigint (a multiplicative
--      hash of k, so every run builds the same table), v md5(k) text
--   d: every third k of t, w its v reversed: the hash joins' inner side
-- Deterministic: no random(), the C locale (initdb --no-locale).
SET work_mem = '1GB';
CREATE TABLE t AS
	SELECT k, (k::bigint * 2654435761) % 4294967291 AS s, md5(k::text) AS v
	FROM generate_series(1, :rows) AS k;
CREATE TABLE d AS
	SELECT k, reverse(v) AS w FROM t WHERE k % 3 = 0;
VACUUM ANALYZE t;
VACUUM ANALYZE d;
SELECT 'rows', count(*), sum(s), (SELECT count(*) FROM d) FROM t;
