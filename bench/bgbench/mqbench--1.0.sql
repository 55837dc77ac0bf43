/* bench/bgbench/mqbench--1.0.sql */
\echo Use "CREATE EXTENSION mqbench" to load this file. \quit

-- Echo rounds through a dynamic worker: "ROUNDS P50_NS P99_NS MEAN_NS".
CREATE FUNCTION mqbench_roundtrip(msgsize int4, rounds int4,
                                  warmup int4 DEFAULT 10,
                                  queue_size int8 DEFAULT 16384)
    RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

-- Stream messages one way to a dynamic worker:
-- "NMSGS BYTES ELAPSED_NS CPU_US SLEEPS" (both processes' CPU time and
-- voluntary context switches over the timed part).
CREATE FUNCTION mqbench_stream(msgsize int4, nmsgs int4,
                               queue_size int8 DEFAULT 16384)
    RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

-- Returns 1 at once: what a call costs by itself.
CREATE FUNCTION mqbench_noop()
    RETURNS int4
    AS 'MODULE_PATHNAME' LANGUAGE C;
