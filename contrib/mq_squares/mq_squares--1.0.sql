/* contrib/mq_squares/mq_squares--1.0.sql */
\echo Use "CREATE EXTENSION mq_squares" to load this file. \quit

-- Sum the squares of 1..upto with nworkers dynamic workers: the range is
-- cut into chunks of chunk numbers, sent to the workers over shared memory
-- message queues; each worker sends back one sum per chunk.  One row per
-- worker: how many chunks it did and the sum of its results.
CREATE FUNCTION mq_squares(nworkers integer DEFAULT 2,
                           upto bigint DEFAULT 1000000,
                           chunk bigint DEFAULT 10000,
                           OUT worker integer, OUT chunks integer, OUT total bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

-- The grand total only.
CREATE FUNCTION mq_squares_total(nworkers integer DEFAULT 2,
                                 upto bigint DEFAULT 1000000)
    RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
