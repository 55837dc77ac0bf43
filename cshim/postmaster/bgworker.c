/*-------------------------------------------------------------------------
 *
 * bgworker.c
 *	  Background worker registration: the static list built while modules
 *	  are preloaded, the shared slot array ("Background Worker Data") that
 *	  static and dynamic workers share, the dynamic-worker API a worker
 *	  calls (register, query, wait, terminate), and the supervisor's
 *	  defensive accessors of the slot array (used through bgworker.go).
 *
 *	  Who calls what:
 *	    RegisterBackgroundWorker        supervisor, from a module's _PG_init
 *	    bgw_bgworker_shmem_init         supervisor, after bgw_shmem_init
 *	    bgw_slot_*                      supervisor (never takes a lock);
 *	                                    bgw_slot_take_fast_start, _read and
 *	                                    _publish_started the fork server too
 *	    RegisterDynamicBackgroundWorker worker children
 *	    GetBackgroundWorkerPid & co.    worker children
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/pmsignal.h"
#include "storage/shmem.h"
#include "utils/wait_event.h"
#include "fork_int.h"
#include "shmem_int.h"

BGW_CHILD_HOT BackgroundWorker *MyBgworkerEntry = NULL;
BackgroundWorkerArray *bgw_worker_array = NULL;

/* Static registrations, process-local (supervisor). */
static BackgroundWorker *static_workers;
static int	static_worker_count;
static int	static_worker_alloc;

/*
 * Copy a registration with every string bounded by its field and
 * NUL-terminated: a caller's struct may hold unterminated strings, and we
 * must not read past the field.
 */
static void
copy_worker_bounded(BackgroundWorker *dst, const BackgroundWorker *src)
{
	memcpy(dst, src, sizeof(BackgroundWorker));
	dst->bgw_name[BGW_MAXLEN - 1] = '\0';
	dst->bgw_type[BGW_MAXLEN - 1] = '\0';
	dst->bgw_library_name[sizeof(dst->bgw_library_name) - 1] = '\0';
	dst->bgw_function_name[BGW_MAXLEN - 1] = '\0';
}

/*
 * The registration rules shared by static and dynamic registration and by
 * the supervisor's own checks (a `bgworker launch`, a slot a worker
 * filled), in PostgreSQL's order.  Pure: returns NULL when worker passes,
 * else the message, written into buf.  bgworker keeps workers without
 * BGWORKER_SHMEM_ACCESS (they run detached from shared memory), so
 * PostgreSQL 15's check refusing them is not made; the older check that
 * such a worker cannot ask for a database connection is.
 */
const char *
bgw_worker_problem(const BackgroundWorker *worker, char *buf, size_t len)
{
	if ((worker->bgw_flags & BGWORKER_BACKEND_DATABASE_CONNECTION) != 0)
	{
		if ((worker->bgw_flags & BGWORKER_SHMEM_ACCESS) == 0)
		{
			snprintf(buf, len, "background worker \"%s\": must attach to shared memory in order to request a database connection",
					 worker->bgw_name);
			return buf;
		}
		if (worker->bgw_start_time == BgWorkerStart_PostmasterStart)
		{
			snprintf(buf, len, "background worker \"%s\": cannot request database access if starting at postmaster start",
					 worker->bgw_name);
			return buf;
		}
	}

	/* Not a PostgreSQL check: an unknown start time would never start. */
	if ((int) worker->bgw_start_time < (int) BgWorkerStart_PostmasterStart ||
		(int) worker->bgw_start_time > (int) BgWorkerStart_RecoveryFinished)
	{
		snprintf(buf, len, "background worker \"%s\": invalid start time %d",
				 worker->bgw_name, (int) worker->bgw_start_time);
		return buf;
	}

	if ((worker->bgw_restart_time < 0 &&
		 worker->bgw_restart_time != BGW_NEVER_RESTART) ||
		worker->bgw_restart_time > BGW_MAX_RESTART_TIME)
	{
		snprintf(buf, len, "background worker \"%s\": invalid restart interval",
				 worker->bgw_name);
		return buf;
	}

	if ((worker->bgw_flags & BGWORKER_CLASS_PARALLEL) != 0 &&
		worker->bgw_restart_time != BGW_NEVER_RESTART)
	{
		snprintf(buf, len, "background worker \"%s\": parallel workers may not be configured for restart",
				 worker->bgw_name);
		return buf;
	}
	return NULL;
}

/*
 * The registration checks of static (elevel LOG: skip the worker) and
 * dynamic (elevel ERROR) registration: bgw_worker_problem, reported.
 * Fills an empty bgw_type from bgw_name.  Returns false if the worker is
 * refused.
 */
static bool
sanity_check_worker(BackgroundWorker *worker, int elevel)
{
	char		problem[2 * BGW_MAXLEN + 128];

	if (bgw_worker_problem(worker, problem, sizeof(problem)) != NULL)
	{
		ereport(elevel,
				errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg_internal("%s", problem));
		return false;
	}

	if (worker->bgw_type[0] == '\0')
		strlcpy(worker->bgw_type, worker->bgw_name, BGW_MAXLEN);

	return true;
}

/*
 * Register a static worker.  Only in the supervisor while
 * shared_preload_libraries is processed (from _PG_init); problems are
 * logged at LOG and the worker is skipped, as PostgreSQL does.  The
 * caller's struct is copied; it may be reused.
 */
void
RegisterBackgroundWorker(BackgroundWorker *worker)
{
	BackgroundWorker rw;

	copy_worker_bounded(&rw, worker);

	if (IsUnderPostmaster)
	{
		/* A worker loading a library that registers when preloaded. */
		if (process_shared_preload_libraries_in_progress)
			return;
		ereport(LOG,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("background worker \"%s\": must be registered in \"shared_preload_libraries\"",
					   rw.bgw_name));
		return;
	}

	if (bgw_worker_array != NULL)
		elog(ERROR, "cannot register background worker \"%s\" after shmem init",
			 rw.bgw_name);

	ereport(DEBUG1,
			errmsg_internal("registering background worker \"%s\"", rw.bgw_name));

	if (!process_shared_preload_libraries_in_progress)
	{
		ereport(LOG,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("background worker \"%s\": must be registered in \"shared_preload_libraries\"",
					   rw.bgw_name));
		return;
	}

	if (!sanity_check_worker(&rw, LOG))
		return;

	if (rw.bgw_notify_pid != 0)
	{
		ereport(LOG,
				errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("background worker \"%s\": only dynamic background workers can request notification",
					   rw.bgw_name));
		return;
	}

	if (static_worker_count >= max_worker_processes)
	{
		ereport(LOG,
				errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				errmsg("too many background workers"),
				errdetail_plural("Up to %d background worker can be registered with the current settings.",
								 "Up to %d background workers can be registered with the current settings.",
								 max_worker_processes,
								 max_worker_processes),
				errhint("Consider increasing the configuration parameter \"%s\".",
						"max_worker_processes"));
		return;
	}

	if (static_worker_count == static_worker_alloc)
	{
		int			newalloc = static_worker_alloc ? static_worker_alloc * 2 : 8;
		BackgroundWorker *grown;

		grown = realloc(static_workers, sizeof(BackgroundWorker) * newalloc);
		if (grown == NULL)
		{
			ereport(LOG,
					errcode(ERRCODE_OUT_OF_MEMORY),
					errmsg("out of memory"));
			return;
		}
		static_workers = grown;
		static_worker_alloc = newalloc;
	}
	static_workers[static_worker_count++] = rw;
}

int
bgw_static_worker_count(void)
{
	return static_worker_count;
}

const BackgroundWorker *
bgw_static_worker(int i)
{
	if (i < 0 || i >= static_worker_count)
		return NULL;
	return &static_workers[i];
}

/*
 * Free the static list only (the fork server, which never reads it: each
 * request carries its registration).
 */
void
bgw_free_static_workers(void)
{
	free(static_workers);
	static_workers = NULL;
	static_worker_count = 0;
	static_worker_alloc = 0;
}

/* ------------------------------------------------------------------------
 * The shared slot array
 * ------------------------------------------------------------------------ */

Size
bgw_bgworker_shmem_size(void)
{
	Size		size;

	size = offsetof(BackgroundWorkerArray, slot);
	size = add_size(size, mul_size(Max(max_worker_processes, 0),
								   sizeof(BackgroundWorkerSlot)));
	return size;
}

/*
 * Allocate and fill the slot array in the current segment: slot i holds
 * workers[i] (in use, not started), the rest are free.  Supervisor only,
 * at start and after every crash (the segment is new then).  May raise
 * ERROR (not enough shared memory): call it through bgw_call_protected.
 */
void
bgw_bgworker_shmem_init(const BackgroundWorker *workers, int n)
{
	BackgroundWorkerArray *arr;
	bool		found;

	arr = ShmemInitStruct("Background Worker Data",
						  bgw_bgworker_shmem_size(), &found);
	if (!found)
	{
		arr->total_slots = max_worker_processes;
		arr->parallel_register_count = 0;
		arr->parallel_terminate_count = 0;
		pg_atomic_init_u32(&arr->fast_start, 0);
		for (int i = 0; i < max_worker_processes; i++)
		{
			BackgroundWorkerSlot *slot = &arr->slot[i];

			slot->terminate = false;
			slot->pid = InvalidPid;
			slot->generation = 0;
			if (i < n && workers != NULL)
			{
				copy_worker_bounded(&slot->worker, &workers[i]);
				pg_atomic_init_u32(&slot->claimed, 1);
				pg_atomic_init_u32(&slot->start_owner, BGW_START_SUPERVISOR);
				slot->in_use = true;
			}
			else
			{
				memset(&slot->worker, 0, sizeof(slot->worker));
				pg_atomic_init_u32(&slot->claimed, 0);
				pg_atomic_init_u32(&slot->start_owner, BGW_START_UNDECIDED);
				slot->in_use = false;
			}
		}
	}
	bgw_worker_array = arr;
}

/* ------------------------------------------------------------------------
 * Supervisor-side accessors.  The supervisor trusts nothing in shared
 * memory: every index is range-checked against its own idea of the array
 * size, strings are copied bounded, and it takes no lock (a worker that
 * died holding BackgroundWorkerLock must not hang it).
 * ------------------------------------------------------------------------ */

/* Number of slots, or 0 when there is no array. */
int
bgw_slot_count(void)
{
	return bgw_worker_array != NULL ? max_worker_processes : 0;
}

/* Bounded copy of a string field, non-printable bytes replaced by '?'. */
static void
ascii_safe_copy(char *dst, const volatile char *src, size_t len)
{
	size_t		i;

	for (i = 0; i + 1 < len; i++)
	{
		unsigned char c = (unsigned char) src[i];

		if (c == '\0')
			break;
		if ((c < 32 || c > 126) && c != '\n' && c != '\r' && c != '\t')
			c = '?';
		dst[i] = (char) c;
	}
	dst[i] = '\0';
}

static int
check_slot_index(int slot, char *errbuf, size_t errlen)
{
	BackgroundWorkerArray *arr = bgw_worker_array;

	if (arr == NULL)
	{
		snprintf(errbuf, errlen, "background worker slots are not initialized");
		return -1;
	}
	if (arr->total_slots != max_worker_processes)
	{
		snprintf(errbuf, errlen,
				 "inconsistent background worker state (max_worker_processes=%d, total_slots=%d)",
				 max_worker_processes, arr->total_slots);
		return -1;
	}
	if (slot < 0 || slot >= max_worker_processes)
	{
		snprintf(errbuf, errlen,
				 "background worker slot %d out of range (max_worker_processes=%d)",
				 slot, max_worker_processes);
		return -1;
	}
	return 0;
}

/*
 * Copy slot `slot` into *out.  Returns 0 if the slot is in use, 1 if it is
 * free, -1 with a message in errbuf.  Supervisor and fork server.
 */
int
bgw_slot_read(int slot, BgwSlotView *out, char *errbuf, size_t errlen)
{
	volatile BackgroundWorkerSlot *s;

	if (check_slot_index(slot, errbuf, errlen) < 0)
		return -1;
	s = &bgw_worker_array->slot[slot];
	if (!s->in_use)
		return 1;
	/* everything the registering worker wrote before in_use is visible */
	pg_read_barrier();

	memset(out, 0, sizeof(*out));
	out->terminate = s->terminate;
	out->pid = s->pid;
	out->generation = s->generation;
	ascii_safe_copy(out->worker.bgw_name, s->worker.bgw_name, BGW_MAXLEN);
	ascii_safe_copy(out->worker.bgw_type, s->worker.bgw_type, BGW_MAXLEN);
	ascii_safe_copy(out->worker.bgw_library_name, s->worker.bgw_library_name,
					sizeof(out->worker.bgw_library_name));
	ascii_safe_copy(out->worker.bgw_function_name, s->worker.bgw_function_name,
					BGW_MAXLEN);
	out->worker.bgw_flags = s->worker.bgw_flags;
	out->worker.bgw_start_time = s->worker.bgw_start_time;
	out->worker.bgw_restart_time = s->worker.bgw_restart_time;
	out->worker.bgw_main_arg = s->worker.bgw_main_arg;
	for (int i = 0; i < BGW_EXTRALEN; i++)
		out->worker.bgw_extra[i] = s->worker.bgw_extra[i];
	out->worker.bgw_notify_pid = s->worker.bgw_notify_pid;
	return 0;
}

/* Record a started (pid > 0), stopped (0) or unstarted (-1) worker. */
int
bgw_slot_set_pid(int slot, pid_t pid)
{
	char		errbuf[128];

	if (check_slot_index(slot, errbuf, sizeof(errbuf)) < 0)
		return -1;
	bgw_worker_array->slot[slot].pid = pid;
	return 0;
}

/*
 * Set the process latch of the worker in slot, if it has one in the
 * segment (supervisor waking a waiter; fork server publishing a start).
 */
void
bgw_set_worker_latch(int slot)
{
	if (bgw_proc_array != NULL && slot >= 0 && slot < bgw_proc_count)
		SetLatch(&bgw_proc_array[slot].pgproc.procLatch);
}

/*
 * The notify rule (bgw_notify_pid): wake the process waiting on a
 * worker's state, when it is one of our workers, i.e. its pid is in a
 * slot in use.  The supervisor clears a slot's pid when it reaps that
 * process, so such a pid cannot have been recycled for an unrelated
 * process.  SIGUSR1 as PostgreSQL sends it, and the waiter's latch (if it
 * has one in the segment), so that WaitForBackgroundWorkerStartup and
 * ...Shutdown wake whatever handler it installed.  Returns whether it
 * woke one.  Supervisor (start and exit of a worker, a registration
 * refused) and fork server (bgw_slot_publish_started).
 */
static int
worker_slot_of_pid(pid_t pid)
{
	BackgroundWorkerArray *arr = bgw_worker_array;

	if (pid <= 0 || arr == NULL)
		return -1;
	for (int i = 0; i < arr->total_slots && i < max_worker_processes; i++)
	{
		volatile BackgroundWorkerSlot *s = &arr->slot[i];

		if (s->in_use && s->pid == pid)
			return i;
	}
	return -1;
}

bool
bgw_wake_waiter(pid_t notify_pid)
{
	int			i = worker_slot_of_pid(notify_pid);

	if (i < 0)
		return false;
	(void) kill(notify_pid, SIGUSR1);
	if ((bgw_worker_array->slot[i].worker.bgw_flags & BGWORKER_SHMEM_ACCESS) != 0)
		bgw_set_worker_latch(i);
	return true;
}

/*
 * Fork server, right after it started a worker for slot: publish its pid
 * in the slot (the supervisor writes the same again when the fork
 * server's reply reaches it) and wake the worker's bgw_notify_pid, so
 * that WaitForBackgroundWorkerStartup returns without waiting for that
 * reply.  Returns true when it woke the waiter: the reply says so and the
 * supervisor does not wake it again.
 */
bool
bgw_slot_publish_started(int slot, pid_t pid, pid_t notify_pid)
{
	if (pid <= 0 || bgw_slot_set_pid(slot, pid) != 0)
		return false;
	pg_memory_barrier();
	return bgw_wake_waiter(notify_pid);
}

/*
 * Give a slot back to the workers: pid 0, then a full barrier, then
 * in_use = false, so that a worker that sees the slot free also sees
 * everything before.  Supervisor only.
 */
int
bgw_slot_free(int slot)
{
	char		errbuf[128];
	volatile BackgroundWorkerSlot *s;

	if (check_slot_index(slot, errbuf, sizeof(errbuf)) < 0)
		return -1;
	s = &bgw_worker_array->slot[slot];
	if (!s->in_use)
		return 0;
	s->pid = 0;
	if ((s->worker.bgw_flags & BGWORKER_CLASS_PARALLEL) != 0)
		bgw_worker_array->parallel_terminate_count++;
	pg_memory_barrier();
	s->in_use = false;
	/* the slot becomes claimable only after everything above is visible */
	pg_memory_barrier();
	pg_atomic_write_u32(&bgw_worker_array->slot[slot].claimed, 0);
	return 0;
}

/*
 * Fill a slot this process has claimed and publish it: registration first,
 * a write barrier, then in_use.  owner is BGW_START_UNDECIDED for a
 * worker's registration, BGW_START_SUPERVISOR for the supervisor's own.
 * Returns the new generation.
 */
static uint64
publish_claimed_slot(BackgroundWorkerSlot *slot, const BackgroundWorker *rw,
					 uint32 owner)
{
	slot->worker = *rw;
	slot->pid = InvalidPid;
	slot->generation++;
	slot->terminate = false;
	pg_atomic_write_u32(&slot->start_owner, owner);
	/* the supervisor must see the registration before in_use */
	pg_write_barrier();
	slot->in_use = true;
	return slot->generation;
}

/* Try to claim a slot: CAS claimed 0 -> 1.  Any process. */
static bool
claim_slot(BackgroundWorkerSlot *slot)
{
	uint32		expected = 0;

	if (slot->in_use)
		return false;
	return pg_atomic_compare_exchange_u32(&slot->claimed, &expected, 1);
}

int
bgw_slot_claim(const BackgroundWorker *worker, uint64 *generation)
{
	BackgroundWorkerArray *arr = bgw_worker_array;
	BackgroundWorker rw;

	if (arr == NULL || arr->total_slots != max_worker_processes)
		return -1;
	copy_worker_bounded(&rw, worker);
	if (rw.bgw_type[0] == '\0')
		strlcpy(rw.bgw_type, rw.bgw_name, BGW_MAXLEN);
	for (int i = 0; i < max_worker_processes; i++)
	{
		BackgroundWorkerSlot *slot = &arr->slot[i];

		if (!claim_slot(slot))
			continue;
		*generation = publish_claimed_slot(slot, &rw, BGW_START_SUPERVISOR);
		return i;
	}
	return -1;
}

bool
bgw_slot_take_start(int slot)
{
	char		errbuf[128];
	uint32		expected = BGW_START_UNDECIDED;
	pg_atomic_uint32 *owner;

	if (check_slot_index(slot, errbuf, sizeof(errbuf)) < 0)
		return true;
	owner = &bgw_worker_array->slot[slot].start_owner;
	if (pg_atomic_compare_exchange_u32(owner, &expected, BGW_START_SUPERVISOR))
		return true;
	return expected != BGW_START_FORK_SERVER;
}

/*
 * See fork_int.h.  The checks are the supervisor's for a new slot
 * (checkSlotValues in libbgworker/dynamic.go), made after the slot is
 * taken, so that they read the registration that will run; a slot that
 * fails them goes back to undecided, and the supervisor's next scan takes
 * it and reports it.  Once taken, a slot cannot change under us: only the
 * supervisor frees a slot in use, and only one it adopted.
 */
bool
bgw_slot_take_fast_start(int slot, BackgroundWorker *out)
{
	char		errbuf[2 * BGW_MAXLEN + 128];
	BackgroundWorkerSlot *s;
	BgwSlotView view;
	uint32		expected = BGW_START_UNDECIDED;
	BackgroundWorker *w = &view.worker;

	if (check_slot_index(slot, errbuf, sizeof(errbuf)) < 0)
		return false;
	s = &bgw_worker_array->slot[slot];
	/* cheap tests first: most slots are running or taken */
	if (!s->in_use || s->pid != InvalidPid || s->terminate ||
		pg_atomic_read_u32(&s->start_owner) != BGW_START_UNDECIDED)
		return false;
	if (!pg_atomic_compare_exchange_u32(&s->start_owner, &expected,
										BGW_START_FORK_SERVER))
		return false;

	if (bgw_slot_read(slot, &view, errbuf, sizeof(errbuf)) != 0)
		goto refuse;
	if (w->bgw_name[0] == '\0')
		memcpy(w->bgw_name, w->bgw_type, BGW_MAXLEN);
	if (w->bgw_name[0] == '\0' || w->bgw_library_name[0] == '\0' ||
		w->bgw_function_name[0] == '\0' ||
		bgw_worker_problem(w, errbuf, sizeof(errbuf)) != NULL ||
		(w->bgw_flags & ~(BGWORKER_SHMEM_ACCESS |
						  BGWORKER_BACKEND_DATABASE_CONNECTION |
						  BGWORKER_CLASS_PARALLEL)) != 0 ||
		w->bgw_notify_pid < 0 || view.pid != InvalidPid || view.terminate)
		goto refuse;
	if (w->bgw_notify_pid != 0 && worker_slot_of_pid(w->bgw_notify_pid) < 0)
		w->bgw_notify_pid = 0;
	if (w->bgw_type[0] == '\0')
		memcpy(w->bgw_type, w->bgw_name, BGW_MAXLEN);
	*out = *w;
	return true;

refuse:
	pg_atomic_write_u32(&s->start_owner, BGW_START_UNDECIDED);
	return false;
}

/* ------------------------------------------------------------------------
 * The dynamic-worker API (worker children)
 * ------------------------------------------------------------------------ */

/*
 * Register a dynamic worker.  Returns false outside a child of the host,
 * in a worker detached from shared memory, when the parallel-worker limit
 * is reached, or when every slot is in use; raises ERROR when a check
 * fails.  On success the fork server (a fast start) or the supervisor is
 * signalled and *handle (if wanted) is a palloc'd handle.
 */
bool
RegisterDynamicBackgroundWorker(BackgroundWorker *worker,
								BackgroundWorkerHandle **handle)
{
	BackgroundWorker rw;
	BackgroundWorkerArray *arr = bgw_worker_array;
	bool		parallel;
	int			found = -1;
	uint64		generation = 0;

	if (!IsUnderPostmaster || arr == NULL || bgw_shmem_base() == NULL)
		return false;

	copy_worker_bounded(&rw, worker);
	if (!sanity_check_worker(&rw, ERROR))
		return false;
	parallel = (rw.bgw_flags & BGWORKER_CLASS_PARALLEL) != 0;

	LWLockAcquire(BackgroundWorkerLock, LW_EXCLUSIVE);

	if (parallel &&
		(arr->parallel_register_count - arr->parallel_terminate_count) >=
		(uint32) max_parallel_workers)
	{
		LWLockRelease(BackgroundWorkerLock);
		return false;
	}

	for (int i = 0; i < arr->total_slots && i < max_worker_processes; i++)
	{
		BackgroundWorkerSlot *slot = &arr->slot[i];

		if (!claim_slot(slot))
			continue;
		if (parallel)
			arr->parallel_register_count++;
		generation = publish_claimed_slot(slot, &rw, BGW_START_UNDECIDED);
		found = i;
		break;
	}

	LWLockRelease(BackgroundWorkerLock);

	if (found < 0)
		return false;

	/*
	 * While the fork server takes fast starts, it starts the worker itself
	 * (forkserver.c) and the supervisor adopts it from its reply; what it
	 * does not take, it passes on to the supervisor with the signal below.
	 * The supervisor is not signalled too: its signal handling would only
	 * compete for a CPU with the fork server and with us.
	 */
	if (bgw_fork_server_pid > 0 && pg_atomic_read_u32(&arr->fast_start) != 0 &&
		kill(bgw_fork_server_pid, BGW_FAST_START_SIGNAL) == 0)
		;
	else
		SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);

	if (handle != NULL)
	{
		BackgroundWorkerHandle *h = palloc(sizeof(BackgroundWorkerHandle));

		h->slot = found;
		h->generation = generation;
		*handle = h;
	}
	return true;
}

static BackgroundWorkerSlot *
handle_slot(BackgroundWorkerHandle *handle)
{
	if (handle == NULL || bgw_worker_array == NULL ||
		handle->slot < 0 || handle->slot >= bgw_worker_array->total_slots)
		elog(ERROR, "invalid background worker handle");
	return &bgw_worker_array->slot[handle->slot];
}

/*
 * The state of the worker behind a handle: STOPPED when the slot was
 * reused, freed or the worker exited; NOT_YET_STARTED before the fork;
 * STARTED with *pidp set.  Never POSTMASTER_DIED.
 */
BgwHandleStatus
GetBackgroundWorkerPid(BackgroundWorkerHandle *handle, pid_t *pidp)
{
	BackgroundWorkerSlot *slot = handle_slot(handle);
	pid_t		pid;

	LWLockAcquire(BackgroundWorkerLock, LW_SHARED);
	if (handle->generation != slot->generation || !slot->in_use)
		pid = 0;
	else
		pid = slot->pid;
	LWLockRelease(BackgroundWorkerLock);

	if (pid == 0)
		return BGWH_STOPPED;
	if (pid == InvalidPid)
		return BGWH_NOT_YET_STARTED;
	*pidp = pid;
	return BGWH_STARTED;
}

/*
 * Wait until the worker started (STARTED, *pidp set) or will not start
 * (STOPPED), or the host died.  Wakes on MyLatch: the caller should have
 * registered with bgw_notify_pid = MyProcPid and a SIGUSR1 handler that
 * sets the latch.
 */
BgwHandleStatus
WaitForBackgroundWorkerStartup(BackgroundWorkerHandle *handle, pid_t *pidp)
{
	BgwHandleStatus status;

	for (;;)
	{
		pid_t		pid = 0;
		int			rc;

		CHECK_FOR_INTERRUPTS();

		status = GetBackgroundWorkerPid(handle, &pid);
		if (status == BGWH_STARTED)
			*pidp = pid;
		if (status != BGWH_NOT_YET_STARTED)
			break;

		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_POSTMASTER_DEATH, 0,
					   WAIT_EVENT_BGWORKER_STARTUP);
		if (rc & WL_POSTMASTER_DEATH)
		{
			status = BGWH_POSTMASTER_DIED;
			break;
		}
		ResetLatch(MyLatch);
	}
	return status;
}

/* Wait until the worker stopped, or the host died. */
BgwHandleStatus
WaitForBackgroundWorkerShutdown(BackgroundWorkerHandle *handle)
{
	BgwHandleStatus status;

	for (;;)
	{
		pid_t		pid;
		int			rc;

		CHECK_FOR_INTERRUPTS();

		status = GetBackgroundWorkerPid(handle, &pid);
		if (status == BGWH_STOPPED)
			break;

		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_POSTMASTER_DEATH, 0,
					   WAIT_EVENT_BGWORKER_SHUTDOWN);
		if (rc & WL_POSTMASTER_DEATH)
		{
			status = BGWH_POSTMASTER_DIED;
			break;
		}
		ResetLatch(MyLatch);
	}
	return status;
}

/*
 * Ask the supervisor to stop the worker behind a handle.  A stale handle
 * (the slot was reused) does nothing.
 */
void
TerminateBackgroundWorker(BackgroundWorkerHandle *handle)
{
	BackgroundWorkerSlot *slot = handle_slot(handle);
	bool		signal = false;

	LWLockAcquire(BackgroundWorkerLock, LW_EXCLUSIVE);
	if (handle->generation == slot->generation)
	{
		slot->terminate = true;
		signal = true;
	}
	LWLockRelease(BackgroundWorkerLock);

	if (signal)
		SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);
}

/* bgw_type of the running worker with this pid, or NULL. */
const char *
GetBackgroundWorkerTypeByPid(pid_t pid)
{
	static char result[BGW_MAXLEN];
	bool		found = false;
	BackgroundWorkerArray *arr = bgw_worker_array;

	if (arr == NULL || pid <= 0)
		return NULL;

	LWLockAcquire(BackgroundWorkerLock, LW_SHARED);
	for (int i = 0; i < arr->total_slots && i < max_worker_processes; i++)
	{
		BackgroundWorkerSlot *slot = &arr->slot[i];

		if (slot->pid > 0 && slot->pid == pid)
		{
			memcpy(result, slot->worker.bgw_type, BGW_MAXLEN);
			result[BGW_MAXLEN - 1] = '\0';
			found = true;
			break;
		}
	}
	LWLockRelease(BackgroundWorkerLock);

	return found ? result : NULL;
}

/*
 * BackgroundWorkerInitializeConnection and ...ByOid are in
 * cshim/dbconn/session.c: a worker connects to a PostgreSQL server.
 */
