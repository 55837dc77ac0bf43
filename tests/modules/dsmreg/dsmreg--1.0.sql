/* dsmreg 1.0: the dsm registry and dsa, from sessions */
\echo Use "CREATE EXTENSION dsmreg" to load this file. \quit

-- GetNamedDSMSegment(name, size): 'found=t|f inits=N touches=N intact=t|f'
CREATE FUNCTION dsmreg_get(name text, size int8 DEFAULT 8192)
    RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;

-- The same with an init callback that raises an ERROR.
CREATE FUNCTION dsmreg_get_failing(name text, size int8 DEFAULT 8192)
    RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;

-- The same with an init callback that asks for NAME_inner (100 bytes), or
-- for NAME itself.
CREATE FUNCTION dsmreg_get_nested(name text, self boolean DEFAULT false)
    RETURNS text STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- Make n named segments of 64 bytes, PREFIX0 ... PREFIXn-1.
CREATE FUNCTION dsmreg_fill(prefix text, n int4)
    RETURNS int4 STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- Store a copy of the text (repeated to len bytes if len is larger) in the
-- shared area; returns its dsa_pointer.
CREATE FUNCTION dsmreg_dsa_put(value text, len int8 DEFAULT 0)
    RETURNS int8 STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- Read back the text at a dsa_pointer (the first 40 bytes, and the length).
CREATE FUNCTION dsmreg_dsa_get(dp int8)
    RETURNS text STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

CREATE FUNCTION dsmreg_dsa_free(dp int8)
    RETURNS void STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- The shared area's segment count and total size: 'segments=N total=N'.
CREATE FUNCTION dsmreg_dsa_stats()
    RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;

-- Many allocations in a private area, checked for overlap and contents.
CREATE FUNCTION dsmreg_dsa_stress(nallocs int4, seed int4 DEFAULT 1)
    RETURNS text STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- nworkers dynamic workers allocate, check and free nallocs objects each
-- in the shared area at the same time: 'ok=N' for N clean workers.
CREATE FUNCTION dsmreg_dsa_concurrent(nworkers int4, nallocs int4)
    RETURNS text STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- dsa_allocate_extended with flags: 'huge', 'nooom', 'zero', 'badfree', 'limit'.
CREATE FUNCTION dsmreg_dsa_flags(what text)
    RETURNS text STRICT AS 'MODULE_PATHNAME' LANGUAGE C;

-- Attach the named segment and the shared area (and the segment of dp),
-- then list the dynamic segments this process maps, from /proc/self/maps.
CREATE FUNCTION dsmreg_maps(dp int8 DEFAULT 0)
    RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;

-- The area the preloaded module's shmem_startup_hook made in place in the
-- main segment: read the supervisor's string, grow and shrink the area.
CREATE FUNCTION dsmreg_inplace()
    RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;
