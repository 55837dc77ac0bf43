/*-------------------------------------------------------------------------
 *
 * atomics.h
 *	  Atomic integers, flags and memory barriers for bgworker modules, with
 *	  PostgreSQL 17's names and semantics, built on GCC's __atomic builtins.
 *
 *	  The values live in shared memory and are used across forked processes;
 *	  lock-free 32- and 64-bit atomics on x86_64 and aarch64 work on any
 *	  mapping, so nothing here is process-specific.
 *
 *	  As in PostgreSQL: read/write/unlocked_write have no barrier semantics;
 *	  every read-modify-write operation (exchange, compare_exchange, fetch_*,
 *	  *_fetch, test_set_flag) is a full barrier; clear_flag is a release;
 *	  read_membarrier/write_membarrier are full barriers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ATOMICS_H
#define ATOMICS_H

#include "c.h"

/* ---- barriers ---- */

/* Stops the compiler (not the CPU) from reordering memory accesses. */
#define pg_compiler_barrier()	__atomic_signal_fence(__ATOMIC_SEQ_CST)

/* Full barrier: no load or store moves across it in either direction. */
#define pg_memory_barrier()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Loads before it are not reordered with loads after it. */
#define pg_read_barrier()		__atomic_thread_fence(__ATOMIC_ACQUIRE)

/* Stores before it are not reordered with stores after it. */
#define pg_write_barrier()		__atomic_thread_fence(__ATOMIC_RELEASE)

/* A CPU hint for busy-wait loops. */
static inline void
pg_spin_delay(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__(" rep; nop			\n");
#elif defined(__aarch64__)
	__asm__ __volatile__(" isb;				\n");
#else
	pg_compiler_barrier();
#endif
}

/* ---- types ---- */

typedef struct pg_atomic_flag
{
	volatile uint32 value;		/* 0 = clear, 1 = set */
} pg_atomic_flag;

typedef struct pg_atomic_uint32
{
	volatile uint32 value;
} pg_atomic_uint32;

typedef struct pg_atomic_uint64
{
	volatile uint64 value pg_attribute_aligned(8);
} pg_atomic_uint64;

#define PG_HAVE_ATOMIC_U32_SUPPORT
#define PG_HAVE_ATOMIC_U64_SUPPORT
#define PG_HAVE_8BYTE_SINGLE_COPY_ATOMICITY

/* ---- flag ---- */

static inline void
pg_atomic_init_flag(volatile pg_atomic_flag *ptr)
{
	__atomic_store_n(&ptr->value, 0, __ATOMIC_RELAXED);
}

/* Sets the flag; true if it was clear before (the caller "got" it). */
static inline bool
pg_atomic_test_set_flag(volatile pg_atomic_flag *ptr)
{
	return __atomic_exchange_n(&ptr->value, 1, __ATOMIC_SEQ_CST) == 0;
}

/* True if the flag is clear; no barrier semantics. */
static inline bool
pg_atomic_unlocked_test_flag(volatile pg_atomic_flag *ptr)
{
	return __atomic_load_n(&ptr->value, __ATOMIC_RELAXED) == 0;
}

static inline void
pg_atomic_clear_flag(volatile pg_atomic_flag *ptr)
{
	__atomic_store_n(&ptr->value, 0, __ATOMIC_RELEASE);
}

/* ---- 32 bit ---- */

static inline void
pg_atomic_init_u32(volatile pg_atomic_uint32 *ptr, uint32 val)
{
	__atomic_store_n(&ptr->value, val, __ATOMIC_RELAXED);
}

static inline uint32
pg_atomic_read_u32(volatile pg_atomic_uint32 *ptr)
{
	return __atomic_load_n(&ptr->value, __ATOMIC_RELAXED);
}

static inline uint32
pg_atomic_read_membarrier_u32(volatile pg_atomic_uint32 *ptr)
{
	return __atomic_fetch_add(&ptr->value, 0, __ATOMIC_SEQ_CST);
}

static inline void
pg_atomic_write_u32(volatile pg_atomic_uint32 *ptr, uint32 val)
{
	__atomic_store_n(&ptr->value, val, __ATOMIC_RELAXED);
}

/* Only valid when no concurrent read-modify-write can happen. */
static inline void
pg_atomic_unlocked_write_u32(volatile pg_atomic_uint32 *ptr, uint32 val)
{
	ptr->value = val;
}

static inline void
pg_atomic_write_membarrier_u32(volatile pg_atomic_uint32 *ptr, uint32 val)
{
	(void) __atomic_exchange_n(&ptr->value, val, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_exchange_u32(volatile pg_atomic_uint32 *ptr, uint32 newval)
{
	return __atomic_exchange_n(&ptr->value, newval, __ATOMIC_SEQ_CST);
}

/*
 * If *ptr equals *expected, store newval and return true; otherwise store
 * the current value into *expected and return false.
 */
static inline bool
pg_atomic_compare_exchange_u32(volatile pg_atomic_uint32 *ptr,
							   uint32 *expected, uint32 newval)
{
	return __atomic_compare_exchange_n(&ptr->value, expected, newval, false,
									   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_fetch_add_u32(volatile pg_atomic_uint32 *ptr, int32 add_)
{
	return __atomic_fetch_add(&ptr->value, (uint32) add_, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_fetch_sub_u32(volatile pg_atomic_uint32 *ptr, int32 sub_)
{
	return __atomic_fetch_sub(&ptr->value, (uint32) sub_, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_fetch_and_u32(volatile pg_atomic_uint32 *ptr, uint32 and_)
{
	return __atomic_fetch_and(&ptr->value, and_, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_fetch_or_u32(volatile pg_atomic_uint32 *ptr, uint32 or_)
{
	return __atomic_fetch_or(&ptr->value, or_, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_add_fetch_u32(volatile pg_atomic_uint32 *ptr, int32 add_)
{
	return __atomic_add_fetch(&ptr->value, (uint32) add_, __ATOMIC_SEQ_CST);
}

static inline uint32
pg_atomic_sub_fetch_u32(volatile pg_atomic_uint32 *ptr, int32 sub_)
{
	return __atomic_sub_fetch(&ptr->value, (uint32) sub_, __ATOMIC_SEQ_CST);
}

/* ---- 64 bit ---- */

static inline void
pg_atomic_init_u64(volatile pg_atomic_uint64 *ptr, uint64 val)
{
	__atomic_store_n(&ptr->value, val, __ATOMIC_RELAXED);
}

static inline uint64
pg_atomic_read_u64(volatile pg_atomic_uint64 *ptr)
{
	return __atomic_load_n(&ptr->value, __ATOMIC_RELAXED);
}

static inline uint64
pg_atomic_read_membarrier_u64(volatile pg_atomic_uint64 *ptr)
{
	return __atomic_fetch_add(&ptr->value, 0, __ATOMIC_SEQ_CST);
}

static inline void
pg_atomic_write_u64(volatile pg_atomic_uint64 *ptr, uint64 val)
{
	__atomic_store_n(&ptr->value, val, __ATOMIC_RELAXED);
}

static inline void
pg_atomic_unlocked_write_u64(volatile pg_atomic_uint64 *ptr, uint64 val)
{
	ptr->value = val;
}

static inline void
pg_atomic_write_membarrier_u64(volatile pg_atomic_uint64 *ptr, uint64 val)
{
	(void) __atomic_exchange_n(&ptr->value, val, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_exchange_u64(volatile pg_atomic_uint64 *ptr, uint64 newval)
{
	return __atomic_exchange_n(&ptr->value, newval, __ATOMIC_SEQ_CST);
}

static inline bool
pg_atomic_compare_exchange_u64(volatile pg_atomic_uint64 *ptr,
							   uint64 *expected, uint64 newval)
{
	return __atomic_compare_exchange_n(&ptr->value, expected, newval, false,
									   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_fetch_add_u64(volatile pg_atomic_uint64 *ptr, int64 add_)
{
	return __atomic_fetch_add(&ptr->value, (uint64) add_, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_fetch_sub_u64(volatile pg_atomic_uint64 *ptr, int64 sub_)
{
	return __atomic_fetch_sub(&ptr->value, (uint64) sub_, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_fetch_and_u64(volatile pg_atomic_uint64 *ptr, uint64 and_)
{
	return __atomic_fetch_and(&ptr->value, and_, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_fetch_or_u64(volatile pg_atomic_uint64 *ptr, uint64 or_)
{
	return __atomic_fetch_or(&ptr->value, or_, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_add_fetch_u64(volatile pg_atomic_uint64 *ptr, int64 add_)
{
	return __atomic_add_fetch(&ptr->value, (uint64) add_, __ATOMIC_SEQ_CST);
}

static inline uint64
pg_atomic_sub_fetch_u64(volatile pg_atomic_uint64 *ptr, int64 sub_)
{
	return __atomic_sub_fetch(&ptr->value, (uint64) sub_, __ATOMIC_SEQ_CST);
}

/*
 * Raise *ptr to target unless it is already at least target; returns the
 * value now stored (>= target).  Full barrier.
 */
static inline uint64
pg_atomic_monotonic_advance_u64(volatile pg_atomic_uint64 *ptr, uint64 target)
{
	uint64		cur = pg_atomic_read_u64(ptr);

	while (cur < target)
	{
		if (pg_atomic_compare_exchange_u64(ptr, &cur, target))
			return target;
	}
	pg_memory_barrier();
	return cur;
}

#endif							/* ATOMICS_H */
