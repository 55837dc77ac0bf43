/*-------------------------------------------------------------------------
 *
 * shm_mq.c
 *	  Single-reader, single-writer message queues in shared memory
 *	  (storage/shm_mq.h).  Workers and sessions (C only).
 *
 *	  The queue is a ring of mq_ring_size bytes (a multiple of MAXALIGN).
 *	  Two 64-bit counters that only grow say how far each side got: the
 *	  sender alone writes mq_bytes_written, the receiver alone writes
 *	  mq_bytes_read, so neither needs a lock.  A message is its length (a
 *	  Size) and its bytes, each padded to MAXALIGN, so the counters stay
 *	  aligned and a length word never wraps around the ring's end.
 *
 *	  Ordering.  The sender copies data into the ring, then a write
 *	  barrier, then advances mq_bytes_written; the receiver reads the
 *	  counter, then a read barrier, then the data.  The receiver finishes
 *	  reading, then a full barrier, then advances mq_bytes_read, so the
 *	  sender never overwrites bytes still being read.  After advancing its
 *	  counter each side sets the other's latch; a side that finds no room
 *	  (or no data) sleeps on its own latch, having first published what it
 *	  owes the other side so that both cannot sleep at once.
 *
 *	  Batching, as PostgreSQL 17: the sender may hold back the counter
 *	  update (mqh_send_pending) until a quarter of the ring is pending or
 *	  the caller asks for a flush; the receiver holds back its counter
 *	  (mqh_consume_pending) until a quarter is consumed, or it must wait.
 *	  A message returned without copying points into the ring, and stays
 *	  valid until the next receive on the handle, because the bytes it
 *	  occupies are only given back then.
 *
 *	  Detaching.  mq_detached, under mq_mutex with the PGPROC pointers,
 *	  tells the other side to give up once the ring holds nothing more
 *	  for it.  A counterparty that has not set itself yet is watched
 *	  through its BackgroundWorkerHandle: a worker that stopped before
 *	  attaching counts as detached.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/shm_mq.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/memutils.h"

struct shm_mq
{
	slock_t		mq_mutex;		/* protects the next three fields */
	PGPROC	   *mq_receiver;	/* set once by the receiver */
	PGPROC	   *mq_sender;		/* set once by the sender */
	bool		mq_detached;	/* either side gave up */
	pg_atomic_uint64 mq_bytes_read; /* written by the receiver only */
	pg_atomic_uint64 mq_bytes_written;	/* written by the sender only */
	Size		mq_ring_size;	/* bytes in the ring, MAXALIGNed */
	uint8		mq_ring_offset; /* the ring starts at mq_ring + this */
	char		mq_ring[FLEXIBLE_ARRAY_MEMBER];
};

struct shm_mq_handle
{
	shm_mq	   *mqh_queue;		/* the queue */
	dsm_segment *mqh_segment;	/* whose detach detaches us, or NULL */
	BackgroundWorkerHandle *mqh_handle; /* the counterparty's worker */
	char	   *mqh_buffer;		/* a message that wrapped, copied */
	Size		mqh_buflen;		/* allocated size of mqh_buffer */
	Size		mqh_consume_pending;	/* read but not yet given back */
	Size		mqh_send_pending;	/* written but not yet published */
	Size		mqh_partial_bytes;	/* of the message in progress */
	Size		mqh_expected_bytes; /* length of the message received */
	bool		mqh_length_word_complete;	/* its length is known/sent */
	bool		mqh_counterparty_attached;	/* the other side was seen */
	MemoryContext mqh_context;	/* where mqh_buffer lives */
};

const Size	shm_mq_minimum_size =
MAXALIGN(offsetof(shm_mq, mq_ring)) + MAXIMUM_ALIGNOF;

#define MQH_INITIAL_BUFSIZE		8192

static void shm_mq_detach_internal(shm_mq *mq);
static void shm_mq_detach_callback(dsm_segment *seg, Datum arg);

shm_mq *
shm_mq_create(void *address, Size size)
{
	shm_mq	   *mq = address;
	Size		data_offset = MAXALIGN(offsetof(shm_mq, mq_ring));

	/* the ring must hold at least one aligned word */
	size = MAXALIGN_DOWN(size);
	Assert(size > data_offset);

	SpinLockInit(&mq->mq_mutex);
	mq->mq_receiver = NULL;
	mq->mq_sender = NULL;
	pg_atomic_init_u64(&mq->mq_bytes_read, 0);
	pg_atomic_init_u64(&mq->mq_bytes_written, 0);
	mq->mq_ring_size = size - data_offset;
	mq->mq_detached = false;
	mq->mq_ring_offset = data_offset - offsetof(shm_mq, mq_ring);
	return mq;
}

void
shm_mq_set_receiver(shm_mq *mq, PGPROC *proc)
{
	PGPROC	   *sender;

	SpinLockAcquire(&mq->mq_mutex);
	if (mq->mq_receiver != NULL)
	{
		SpinLockRelease(&mq->mq_mutex);
		elog(ERROR, "shm_mq receiver is already set");
	}
	mq->mq_receiver = proc;
	sender = mq->mq_sender;
	SpinLockRelease(&mq->mq_mutex);

	if (sender != NULL)
		SetLatch(&sender->procLatch);
}

void
shm_mq_set_sender(shm_mq *mq, PGPROC *proc)
{
	PGPROC	   *receiver;

	SpinLockAcquire(&mq->mq_mutex);
	if (mq->mq_sender != NULL)
	{
		SpinLockRelease(&mq->mq_mutex);
		elog(ERROR, "shm_mq sender is already set");
	}
	mq->mq_sender = proc;
	receiver = mq->mq_receiver;
	SpinLockRelease(&mq->mq_mutex);

	if (receiver != NULL)
		SetLatch(&receiver->procLatch);
}

PGPROC *
shm_mq_get_receiver(shm_mq *mq)
{
	PGPROC	   *receiver;

	SpinLockAcquire(&mq->mq_mutex);
	receiver = mq->mq_receiver;
	SpinLockRelease(&mq->mq_mutex);
	return receiver;
}

PGPROC *
shm_mq_get_sender(shm_mq *mq)
{
	PGPROC	   *sender;

	SpinLockAcquire(&mq->mq_mutex);
	sender = mq->mq_sender;
	SpinLockRelease(&mq->mq_mutex);
	return sender;
}

/*
 * Begin using a queue.  With a segment, detaching from the segment
 * detaches from the queue; with a handle, the counterparty's worker is
 * watched until it attaches.  The handle lives in CurrentMemoryContext.
 */
shm_mq_handle *
shm_mq_attach(shm_mq *mq, dsm_segment *seg, BackgroundWorkerHandle *handle)
{
	shm_mq_handle *mqh = palloc(sizeof(shm_mq_handle));

	Assert(mq->mq_receiver == MyProc || mq->mq_sender == MyProc);
	mqh->mqh_queue = mq;
	mqh->mqh_segment = seg;
	mqh->mqh_handle = handle;
	mqh->mqh_buffer = NULL;
	mqh->mqh_buflen = 0;
	mqh->mqh_consume_pending = 0;
	mqh->mqh_send_pending = 0;
	mqh->mqh_partial_bytes = 0;
	mqh->mqh_expected_bytes = 0;
	mqh->mqh_length_word_complete = false;
	mqh->mqh_counterparty_attached = false;
	mqh->mqh_context = CurrentMemoryContext;

	if (seg != NULL)
		on_dsm_detach(seg, shm_mq_detach_callback, PointerGetDatum(mq));
	return mqh;
}

void
shm_mq_set_handle(shm_mq_handle *mqh, BackgroundWorkerHandle *handle)
{
	Assert(mqh->mqh_handle == NULL);
	mqh->mqh_handle = handle;
}

shm_mq *
shm_mq_get_queue(shm_mq_handle *mqh)
{
	return mqh->mqh_queue;
}

/*
 * True if the counterparty is gone: the queue is detached, or its worker
 * stopped (which then marks the queue detached).
 */
static bool
shm_mq_counterparty_gone(shm_mq *mq, BackgroundWorkerHandle *handle)
{
	pid_t		pid;

	if (mq->mq_detached)
		return true;
	if (handle != NULL)
	{
		BgwHandleStatus status = GetBackgroundWorkerPid(handle, &pid);

		if (status != BGWH_STARTED && status != BGWH_NOT_YET_STARTED)
		{
			mq->mq_detached = true;
			return true;
		}
	}
	return false;
}

/*
 * Wait until *ptr (the counterparty's PGPROC) is set: true; false when the
 * queue is detached or the counterparty's worker stopped first.
 */
static bool
shm_mq_wait_internal(shm_mq *mq, PGPROC **ptr, BackgroundWorkerHandle *handle)
{
	for (;;)
	{
		bool		attached;
		bool		detached;
		pid_t		pid;

		SpinLockAcquire(&mq->mq_mutex);
		attached = (*ptr != NULL);
		detached = mq->mq_detached;
		SpinLockRelease(&mq->mq_mutex);
		if (attached)
			return true;
		if (detached)
			return false;
		if (handle != NULL)
		{
			BgwHandleStatus status = GetBackgroundWorkerPid(handle, &pid);

			if (status != BGWH_STARTED && status != BGWH_NOT_YET_STARTED)
				return false;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
						 WAIT_EVENT_MESSAGE_QUEUE_INTERNAL);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

shm_mq_result
shm_mq_wait_for_attach(shm_mq_handle *mqh)
{
	shm_mq	   *mq = mqh->mqh_queue;
	PGPROC	  **victim;

	if (shm_mq_get_receiver(mq) == MyProc)
		victim = &mq->mq_sender;
	else
		victim = &mq->mq_receiver;
	if (shm_mq_wait_internal(mq, victim, mqh->mqh_handle))
		return SHM_MQ_SUCCESS;
	return SHM_MQ_DETACHED;
}

/* Publish what the sender wrote, and wake the receiver. */
static void
shm_mq_publish(shm_mq_handle *mqh)
{
	shm_mq	   *mq = mqh->mqh_queue;
	PGPROC	   *receiver;

	if (mqh->mqh_send_pending > 0)
	{
		/* the bytes before the counter that covers them */
		pg_write_barrier();
		pg_atomic_write_u64(&mq->mq_bytes_written,
							pg_atomic_read_u64(&mq->mq_bytes_written) +
							mqh->mqh_send_pending);
		mqh->mqh_send_pending = 0;
	}
	receiver = shm_mq_get_receiver(mq);
	if (receiver != NULL)
		SetLatch(&receiver->procLatch);
}

/* Give back n bytes the receiver has finished with, and wake the sender. */
static void
shm_mq_inc_bytes_read(shm_mq *mq, Size n)
{
	PGPROC	   *sender;

	/* every read of those bytes is done before they are given back */
	pg_memory_barrier();
	pg_atomic_write_u64(&mq->mq_bytes_read,
						pg_atomic_read_u64(&mq->mq_bytes_read) + n);
	sender = shm_mq_get_sender(mq);
	if (sender != NULL)
		SetLatch(&sender->procLatch);
}

/*
 * Write up to nbytes of data into the ring; *bytes_written says how many
 * went in (also on WOULD_BLOCK and DETACHED).
 */
static shm_mq_result
shm_mq_send_bytes(shm_mq_handle *mqh, Size nbytes, const void *data,
				  bool nowait, Size *bytes_written)
{
	shm_mq	   *mq = mqh->mqh_queue;
	Size		sent = 0;
	uint64		used;
	Size		ringsize = mq->mq_ring_size;
	Size		available;

	while (sent < nbytes)
	{
		uint64		rb;
		uint64		wb;

		rb = pg_atomic_read_u64(&mq->mq_bytes_read);
		wb = pg_atomic_read_u64(&mq->mq_bytes_written) + mqh->mqh_send_pending;
		Assert(wb >= rb);
		used = wb - rb;
		Assert(used <= ringsize);
		available = Min(ringsize - used, nbytes - sent);

		/* the receiver gave up: nothing we send can be read */
		if (mq->mq_detached)
		{
			*bytes_written = sent;
			return SHM_MQ_DETACHED;
		}

		if (available == 0 && !mqh->mqh_counterparty_attached)
		{
			/*
			 * The ring is full and the receiver was never seen: it may
			 * never come.  (A receiver already set, as when a process talks
			 * to itself, makes the handle irrelevant.)
			 */
			if (shm_mq_get_receiver(mq) != NULL)
				mqh->mqh_counterparty_attached = true;
			else if (nowait)
			{
				if (shm_mq_counterparty_gone(mq, mqh->mqh_handle))
				{
					*bytes_written = sent;
					return SHM_MQ_DETACHED;
				}
				*bytes_written = sent;
				return SHM_MQ_WOULD_BLOCK;
			}
			else if (!shm_mq_wait_internal(mq, &mq->mq_receiver, mqh->mqh_handle))
			{
				mq->mq_detached = true;
				*bytes_written = sent;
				return SHM_MQ_DETACHED;
			}
			else
				mqh->mqh_counterparty_attached = true;
			continue;
		}
		else if (available == 0)
		{
			/* publish what the receiver has not seen, or we both wait */
			shm_mq_publish(mqh);
			if (nowait)
			{
				*bytes_written = sent;
				return SHM_MQ_WOULD_BLOCK;
			}
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 WAIT_EVENT_MESSAGE_QUEUE_SEND);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		else
		{
			Size		offset = wb % (uint64) ringsize;
			Size		sendnow = Min(available, ringsize - offset);

			memcpy(&mq->mq_ring[mq->mq_ring_offset + offset],
				   (const char *) data + sent, sendnow);
			sent += sendnow;

			/*
			 * Only the last piece may be short of an aligned size; the
			 * counter always moves by whole aligned words.
			 */
			Assert(sent == nbytes || sendnow == MAXALIGN(sendnow));
			mqh->mqh_send_pending += MAXALIGN(sendnow);
			if (mqh->mqh_send_pending > (ringsize >> 2))
				shm_mq_publish(mqh);
		}
	}
	*bytes_written = sent;
	return SHM_MQ_SUCCESS;
}

static shm_mq_result
shm_mq_send_message(shm_mq_handle *mqh, Size nbytes, const char *data,
					bool nowait, bool force_flush)
{
	shm_mq	   *mq = mqh->mqh_queue;
	shm_mq_result res;
	Size		written;

	if (nbytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot send a message of size %zu via shared memory queue",
						nbytes)));

	if (!mqh->mqh_length_word_complete)
	{
		Assert(mqh->mqh_partial_bytes < sizeof(Size));
		res = shm_mq_send_bytes(mqh, sizeof(Size) - mqh->mqh_partial_bytes,
								((char *) &nbytes) + mqh->mqh_partial_bytes,
								nowait, &written);
		if (res == SHM_MQ_DETACHED)
		{
			mqh->mqh_partial_bytes = 0;
			return res;
		}
		mqh->mqh_partial_bytes += written;
		if (mqh->mqh_partial_bytes < sizeof(Size))
			return res;			/* WOULD_BLOCK */
		mqh->mqh_partial_bytes = 0;
		mqh->mqh_length_word_complete = true;
	}

	Assert(mqh->mqh_partial_bytes <= nbytes);
	res = shm_mq_send_bytes(mqh, nbytes - mqh->mqh_partial_bytes,
							data + mqh->mqh_partial_bytes, nowait, &written);
	if (res == SHM_MQ_DETACHED)
	{
		mqh->mqh_partial_bytes = 0;
		mqh->mqh_length_word_complete = false;
		return res;
	}
	mqh->mqh_partial_bytes += written;
	if (res != SHM_MQ_SUCCESS)
		return res;

	mqh->mqh_partial_bytes = 0;
	mqh->mqh_length_word_complete = false;

	if (mq->mq_detached)
		return SHM_MQ_DETACHED;
	if (!mqh->mqh_counterparty_attached && shm_mq_get_receiver(mq) != NULL)
		mqh->mqh_counterparty_attached = true;
	if (force_flush || mqh->mqh_send_pending > (mq->mq_ring_size >> 2))
		shm_mq_publish(mqh);
	return SHM_MQ_SUCCESS;
}

shm_mq_result
shm_mq_send(shm_mq_handle *mqh, Size nbytes, const void *data, bool nowait,
			bool force_flush)
{
	Assert(mqh->mqh_queue->mq_sender == MyProc);
	return shm_mq_send_message(mqh, nbytes, data, nowait, force_flush);
}

/*
 * Send one message made of iovcnt pieces.  After SHM_MQ_WOULD_BLOCK the
 * caller must send the same message again, as PostgreSQL requires.
 */
shm_mq_result
shm_mq_sendv(shm_mq_handle *mqh, shm_mq_iovec *iov, int iovcnt, bool nowait,
			 bool force_flush)
{
	Size		nbytes = 0;
	char	   *flat;
	Size		off = 0;
	shm_mq_result res;

	Assert(mqh->mqh_queue->mq_sender == MyProc);
	if (iovcnt == 1)
		return shm_mq_send_message(mqh, iov[0].len, iov[0].data, nowait,
								   force_flush);
	for (int i = 0; i < iovcnt; i++)
		nbytes = add_size(nbytes, iov[i].len);
	if (nbytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot send a message of size %zu via shared memory queue",
						nbytes)));
	/* the pieces are joined, so that the ring only sees aligned words */
	flat = palloc(Max(nbytes, 1));
	for (int i = 0; i < iovcnt; i++)
	{
		memcpy(flat + off, iov[i].data, iov[i].len);
		off += iov[i].len;
	}
	res = shm_mq_send_message(mqh, nbytes, flat, nowait, force_flush);
	pfree(flat);
	return res;
}

/*
 * Wait for bytes_needed bytes, or for the ring's end, whichever is
 * nearer; *nbytesp is how many contiguous bytes *datap holds.
 */
static shm_mq_result
shm_mq_receive_bytes(shm_mq_handle *mqh, Size bytes_needed, bool nowait,
					 Size *nbytesp, void **datap)
{
	shm_mq	   *mq = mqh->mqh_queue;
	Size		ringsize = mq->mq_ring_size;

	for (;;)
	{
		uint64		read;
		uint64		written;
		Size		used;
		Size		offset;

		written = pg_atomic_read_u64(&mq->mq_bytes_written);
		read = pg_atomic_read_u64(&mq->mq_bytes_read) + mqh->mqh_consume_pending;
		used = written - read;
		Assert(used <= ringsize);
		offset = read % (uint64) ringsize;

		if (used >= bytes_needed || offset + used >= ringsize)
		{
			*nbytesp = Min(used, ringsize - offset);
			*datap = &mq->mq_ring[mq->mq_ring_offset + offset];
			/* the counter before the bytes it covers */
			pg_read_barrier();
			return SHM_MQ_SUCCESS;
		}

		if (mq->mq_detached)
		{
			/* the sender may have written more before it detached */
			pg_read_barrier();
			if (written != pg_atomic_read_u64(&mq->mq_bytes_written))
				continue;
			return SHM_MQ_DETACHED;
		}

		/* give back what we hold before waiting, or we both wait */
		if (mqh->mqh_consume_pending > 0)
		{
			shm_mq_inc_bytes_read(mq, mqh->mqh_consume_pending);
			mqh->mqh_consume_pending = 0;
		}

		if (nowait)
			return SHM_MQ_WOULD_BLOCK;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
						 WAIT_EVENT_MESSAGE_QUEUE_RECEIVE);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Receive a message.  *datap points into the ring or into the handle's
 * buffer and stays valid until the next call on the handle.
 */
shm_mq_result
shm_mq_receive(shm_mq_handle *mqh, Size *nbytesp, void **datap, bool nowait)
{
	shm_mq	   *mq = mqh->mqh_queue;
	shm_mq_result res;
	Size		rb = 0;
	Size		nbytes;
	void	   *rawdata;

	Assert(mq->mq_receiver == MyProc);

	if (!mqh->mqh_counterparty_attached)
	{
		if (shm_mq_get_sender(mq) != NULL)
			mqh->mqh_counterparty_attached = true;
		else if (nowait)
		{
			if (shm_mq_counterparty_gone(mq, mqh->mqh_handle) &&
				shm_mq_get_sender(mq) == NULL)
				return SHM_MQ_DETACHED;
			return SHM_MQ_WOULD_BLOCK;
		}
		else if (!shm_mq_wait_internal(mq, &mq->mq_sender, mqh->mqh_handle) &&
				 shm_mq_get_sender(mq) == NULL)
		{
			mq->mq_detached = true;
			return SHM_MQ_DETACHED;
		}
		else
			mqh->mqh_counterparty_attached = true;
	}

	/* give back the previous message's bytes once they are worth it */
	if (mqh->mqh_consume_pending > mq->mq_ring_size / 4)
	{
		shm_mq_inc_bytes_read(mq, mqh->mqh_consume_pending);
		mqh->mqh_consume_pending = 0;
	}

	if (!mqh->mqh_length_word_complete)
	{
		/* an aligned word never wraps, so it comes whole */
		res = shm_mq_receive_bytes(mqh, sizeof(Size), nowait, &rb, &rawdata);
		if (res != SHM_MQ_SUCCESS)
			return res;
		Assert(rb >= sizeof(Size));
		memcpy(&mqh->mqh_expected_bytes, rawdata, sizeof(Size));
		mqh->mqh_consume_pending += MAXALIGN(sizeof(Size));
		mqh->mqh_length_word_complete = true;
		mqh->mqh_partial_bytes = 0;
		rb = 0;
	}
	nbytes = mqh->mqh_expected_bytes;

	if (mqh->mqh_partial_bytes == 0)
	{
		res = shm_mq_receive_bytes(mqh, nbytes, nowait, &rb, &rawdata);
		if (res != SHM_MQ_SUCCESS)
			return res;
		if (rb >= nbytes)
		{
			/* whole in the ring: no copy */
			mqh->mqh_length_word_complete = false;
			mqh->mqh_consume_pending += MAXALIGN(nbytes);
			*nbytesp = nbytes;
			*datap = rawdata;
			return SHM_MQ_SUCCESS;
		}
		if (nbytes > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("invalid message size %zu in shared memory queue",
							nbytes)));
		if (mqh->mqh_buflen < nbytes)
		{
			Size		newbuflen = Max(mqh->mqh_buflen, MQH_INITIAL_BUFSIZE);

			while (newbuflen < nbytes)
				newbuflen = Min(newbuflen * 2, MaxAllocSize);
			if (mqh->mqh_buffer != NULL)
				pfree(mqh->mqh_buffer);
			mqh->mqh_buffer = MemoryContextAlloc(mqh->mqh_context, newbuflen);
			mqh->mqh_buflen = newbuflen;
		}
	}

	/* copy the pieces, each one as far as the ring's end or the data go */
	for (;;)
	{
		Size		still_needed = nbytes - mqh->mqh_partial_bytes;

		res = shm_mq_receive_bytes(mqh, still_needed, nowait, &rb, &rawdata);
		if (res != SHM_MQ_SUCCESS)
			return res;
		if (rb > still_needed)
			rb = still_needed;
		memcpy(&mqh->mqh_buffer[mqh->mqh_partial_bytes], rawdata, rb);
		mqh->mqh_consume_pending += MAXALIGN(rb);
		mqh->mqh_partial_bytes += rb;
		if (mqh->mqh_partial_bytes >= nbytes)
			break;
	}

	mqh->mqh_partial_bytes = 0;
	mqh->mqh_length_word_complete = false;
	*nbytesp = nbytes;
	*datap = mqh->mqh_buffer;
	return SHM_MQ_SUCCESS;
}

/*
 * Stop using the queue: publish what is pending, mark it detached, wake
 * the other side, and free the handle.
 */
void
shm_mq_detach(shm_mq_handle *mqh)
{
	if (mqh->mqh_send_pending > 0)
		shm_mq_publish(mqh);
	if (mqh->mqh_segment != NULL)
		cancel_on_dsm_detach(mqh->mqh_segment, shm_mq_detach_callback,
							 PointerGetDatum(mqh->mqh_queue));
	shm_mq_detach_internal(mqh->mqh_queue);
	if (mqh->mqh_buffer != NULL)
		pfree(mqh->mqh_buffer);
	pfree(mqh);
}

static void
shm_mq_detach_internal(shm_mq *mq)
{
	PGPROC	   *victim;

	SpinLockAcquire(&mq->mq_mutex);
	if (mq->mq_sender == MyProc)
		victim = mq->mq_receiver;
	else
		victim = mq->mq_sender;
	mq->mq_detached = true;
	SpinLockRelease(&mq->mq_mutex);

	if (victim != NULL)
		SetLatch(&victim->procLatch);
}

/* The segment holding the queue is detached: so is the queue. */
static void
shm_mq_detach_callback(dsm_segment *seg, Datum arg)
{
	shm_mq	   *mq = (shm_mq *) DatumGetPointer(arg);

	shm_mq_detach_internal(mq);
}
