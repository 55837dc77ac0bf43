/* mqring 1.1: values in and out */

-- Make a segment and keep it (pinned) after the call; returns its handle.
CREATE OR REPLACE FUNCTION mqring_hold(pin boolean DEFAULT true)
    RETURNS oid AS 'MODULE_PATHNAME' LANGUAGE C;

-- The same C function declared for every type a call passes.
CREATE FUNCTION echo_int2(v smallint) RETURNS smallint AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_int4(v integer) RETURNS integer AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_int8(v bigint) RETURNS bigint AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_float4(v real) RETURNS real AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_float8(v double precision) RETURNS double precision AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_bool(v boolean) RETURNS boolean AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_text(v text) RETURNS text AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_varchar(v varchar(20)) RETURNS varchar AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_name(v name) RETURNS name AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_oid(v oid) RETURNS oid AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_bytea(v bytea) RETURNS bytea AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_int4arr(v int4[]) RETURNS int4[] AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;
CREATE FUNCTION echo_textarr(v text[]) RETURNS text[] AS 'MODULE_PATHNAME', 'mqring_echo' LANGUAGE C;

-- Sum of an array (deconstruct_array) and its text form (text_to_cstring).
CREATE FUNCTION mqring_sum(v int8[]) RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FUNCTION mqring_concat(a text, b text DEFAULT '-') RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT;

-- A NOTICE per row, then n rows of (i, i*i as text).
CREATE FUNCTION mqring_series(n integer, OUT i integer, OUT sq text)
    RETURNS SETOF record AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

-- Sleeps until cancelled (or for secs seconds).
CREATE FUNCTION mqring_sleep(secs float8) RETURNS void AS 'MODULE_PATHNAME' LANGUAGE C;
