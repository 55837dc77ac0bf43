/*-------------------------------------------------------------------------
 *
 * forkimage.c
 *	  Proof module for what the fork server leaves out of its image
 *	  (cshim/forkserver/forkimage.c, flush_stack_cache in cshim/forkserver/forkserver.c): memory
 *	  a module allocates in _PG_init (a large malloc, which glibc mmaps,
 *	  and an anonymous mmap) reaches its worker intact, and the worker can
 *	  create and join threads (glibc's stack cache, which the fork server
 *	  trimmed, is consistent), with default stacks and small ones.
 *
 *	  The worker logs "forkimage: malloc intact, mmap intact",
 *	  "forkimage: N threads joined, M failed" and "forkimage: ready pid P",
 *	  then waits until it is stopped.  It restarts after 1 s.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <pthread.h>
#include <sys/mman.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void forkimage_main(Datum main_arg);

#define FORKIMAGE_BYTES (2 * 1024 * 1024)
#define FORKIMAGE_THREADS 20

static unsigned char *big_malloc = NULL;
static unsigned char *big_mmap = NULL;
static __thread int thread_runs = 0;

static void
fill(unsigned char *p, int mult)
{
	for (size_t i = 0; i < FORKIMAGE_BYTES; i++)
		p[i] = (unsigned char) (i * mult);
}

static const char *
check(const unsigned char *p, int mult)
{
	if (p == NULL)
		return "missing";
	for (size_t i = 0; i < FORKIMAGE_BYTES; i++)
		if (p[i] != (unsigned char) (i * mult))
			return "damaged";
	return "intact";
}

void
_PG_init(void)
{
	BackgroundWorker worker;
	void	   *m;

	big_malloc = malloc(FORKIMAGE_BYTES);
	if (big_malloc != NULL)
		fill(big_malloc, 7);
	m = mmap(NULL, FORKIMAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED)
	{
		big_mmap = m;
		fill(big_mmap, 13);
	}

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	strlcpy(worker.bgw_library_name, "forkimage", sizeof(worker.bgw_library_name));
	strlcpy(worker.bgw_function_name, "forkimage_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "forkimage", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

static void *
thread_main(void *arg)
{
	volatile char scratch[16 * 1024];

	memset((char *) scratch, (int) (intptr_t) arg, sizeof(scratch));
	thread_runs++;
	return (void *) (intptr_t) (thread_runs + scratch[100]);
}

void
forkimage_main(Datum main_arg)
{
	int			joined = 0;
	int			failed = 0;

	BackgroundWorkerUnblockSignals();
	elog(LOG, "forkimage: malloc %s, mmap %s", check(big_malloc, 7), check(big_mmap, 13));

	for (int i = 0; i < FORKIMAGE_THREADS; i++)
	{
		pthread_attr_t attr;
		pthread_t	thread;
		void	   *result = NULL;

		pthread_attr_init(&attr);
		if (i % 2 == 1)
			pthread_attr_setstacksize(&attr, 256 * 1024);
		if (pthread_create(&thread, &attr, thread_main, (void *) (intptr_t) (i + 1)) != 0)
			failed++;
		else if (pthread_join(thread, &result) != 0 || (intptr_t) result != 1 + i + 1)
			failed++;
		else
			joined++;
		pthread_attr_destroy(&attr);
	}
	elog(LOG, "forkimage: %d threads joined, %d failed", joined, failed);
	elog(LOG, "forkimage: ready pid %d", MyProcPid);

	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}
