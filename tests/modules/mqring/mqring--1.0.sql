/* mqring 1.0: a ring of message queues through dynamic workers */
\echo Use "CREATE EXTENSION mqring" to load this file. \quit

-- Send nmsgs messages of msgsize bytes through nworkers workers and back;
-- the result is the number of bytes that came back intact.
CREATE FUNCTION mqring_pass(nworkers int4, nmsgs int4,
                            msgsize int4 DEFAULT 64,
                            queue_size int8 = 16384,
                            stall boolean DEFAULT false)
    RETURNS bigint STRICT
    AS 'MODULE_PATHNAME' LANGUAGE C;

CREATE TABLE not_a_function (x int);
COMMENT ON FUNCTION mqring_pass(int4, int4, int4, int8, boolean) IS 'the ring; ignored by bgworker call';
CREATE FUNCTION mqring_sql_helper() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
