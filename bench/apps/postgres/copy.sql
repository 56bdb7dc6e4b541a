-- SPDX-License-Identifier: MIT
-- bench/apps/postgres.sh: COPY of large data, out to a file and back in.
-- psql variables: copy_rows (rows of t copied), tfile and bigfile (files in
-- the server's work directory, written and read by the server), big_rows
-- and big_mib (rows of big_mib MiB of text each).  postgres.sh adds each
-- file's sha256 to the results.
SET work_mem = '1GB';
SET max_parallel_workers_per_gather = 0;
-- tens of MB of rows: out in k order, back into a second table, compared
COPY (SELECT * FROM t WHERE k <= :copy_rows ORDER BY k) TO :'tfile';
CREATE TABLE t2 (LIKE t);
COPY t2 FROM :'tfile';
SELECT 'copy-t', count(*), sum(s),
	(SELECT count(*) FROM (SELECT * FROM t WHERE k <= :copy_rows EXCEPT ALL SELECT * FROM t2) AS q)
	FROM t2;
-- values of big_mib MiB each, stored out of line uncompressed (STORAGE
-- EXTERNAL): COPY's line buffer, the detoasted values and md5's input are
-- single allocations of that size.
CREATE TABLE big (id int, v text);
ALTER TABLE big ALTER COLUMN v SET STORAGE EXTERNAL;
INSERT INTO big SELECT i, repeat(md5(i::text), :big_mib * 32768) FROM generate_series(1, :big_rows) AS i;
COPY big TO :'bigfile';
CREATE TABLE big2 (LIKE big INCLUDING STORAGE);
COPY big2 FROM :'bigfile';
SELECT 'copy-big', id, length(v), md5(v) FROM big2 ORDER BY id;
SELECT 'copy-big-equal', count(*) FROM big JOIN big2 USING (id) WHERE big.v = big2.v;
DROP TABLE t2, big, big2;
