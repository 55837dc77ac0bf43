/* callkit 1.0: set-returning functions, notices and session state */
\echo Use "CREATE EXTENSION callkit" to load this file. \quit

-- materialize mode through InitMaterializedSRF
CREATE FUNCTION callkit_mat_out(n int4, OUT i int4, OUT sq int8, OUT label text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FUNCTION callkit_mat_table(n int4)
    RETURNS TABLE (k text, v float8)
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FUNCTION callkit_mat_scalar(n int4)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FUNCTION callkit_mat_empty()
    RETURNS SETOF int4
    AS 'MODULE_PATHNAME' LANGUAGE C;
-- the hand-written pattern of modules older than InitMaterializedSRF
CREATE FUNCTION callkit_mat_classic(n int4, OUT id int4, OUT name text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
-- callers that cannot take what the function insists on
CREATE FUNCTION callkit_mat_not_setof()
    RETURNS int4
    AS 'MODULE_PATHNAME', 'callkit_mat_empty' LANGUAGE C;
CREATE FUNCTION callkit_mat_record()
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION callkit_mat_mismatch(OUT a int4, OUT b int4)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C;

-- a NOTICE, then a wait until path exists, then another NOTICE
CREATE FUNCTION callkit_notice_wait(path text)
    RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

-- state kept by the session between calls
CREATE FUNCTION callkit_counter()
    RETURNS int4
    AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION callkit_pin(value text)
    RETURNS int8
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FUNCTION callkit_pinned()
    RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C;
