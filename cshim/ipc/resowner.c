/*-------------------------------------------------------------------------
 *
 * resowner.c
 *	  Resource owners (utils/resowner.h), as far as bgworker has resources
 *	  to own: dynamic shared memory mappings (dsm.c keeps, with each
 *	  mapping, the owner it belongs to).  An owner is a node in a tree;
 *	  releasing one releases its children first.  Process-local; workers
 *	  and sessions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bgw_internal.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

typedef struct ResourceOwnerData
{
	ResourceOwner parent;		/* NULL for a top-level owner */
	ResourceOwner firstchild;	/* head of the children */
	ResourceOwner nextchild;	/* next sibling */
	const char *name;			/* for debugging */
} ResourceOwnerData;

ResourceOwner CurrentResourceOwner = NULL;
ResourceOwner CurTransactionResourceOwner = NULL;
ResourceOwner TopTransactionResourceOwner = NULL;
ResourceOwner AuxProcessResourceOwner = NULL;

ResourceOwner
ResourceOwnerCreate(ResourceOwner parent, const char *name)
{
	ResourceOwner owner;

	owner = MemoryContextAllocZero(TopMemoryContext, sizeof(ResourceOwnerData));
	owner->name = name;
	if (parent)
	{
		owner->parent = parent;
		owner->nextchild = parent->firstchild;
		parent->firstchild = owner;
	}
	return owner;
}

/*
 * Release what owner and its descendants hold.  Dynamic shared memory
 * goes in the BEFORE_LOCKS phase, as in PostgreSQL.
 */
void
ResourceOwnerRelease(ResourceOwner owner, ResourceReleasePhase phase,
					 bool isCommit, bool isTopLevel)
{
	ResourceOwner save = CurrentResourceOwner;

	for (ResourceOwner child = owner->firstchild; child != NULL; child = child->nextchild)
		ResourceOwnerRelease(child, phase, isCommit, isTopLevel);

	if (phase == RESOURCE_RELEASE_BEFORE_LOCKS)
	{
		CurrentResourceOwner = owner;
		bgw_dsm_release_owner(owner, isCommit);
		CurrentResourceOwner = save;
	}
}

void
ResourceOwnerDelete(ResourceOwner owner)
{
	Assert(owner != CurrentResourceOwner);
	while (owner->firstchild != NULL)
		ResourceOwnerDelete(owner->firstchild);
	if (owner->parent)
	{
		ResourceOwner *p = &owner->parent->firstchild;

		while (*p != NULL && *p != owner)
			p = &(*p)->nextchild;
		if (*p == owner)
			*p = owner->nextchild;
	}
	pfree(owner);
}

ResourceOwner
ResourceOwnerGetParent(ResourceOwner owner)
{
	return owner->parent;
}

void
CreateAuxProcessResourceOwner(void)
{
	Assert(AuxProcessResourceOwner == NULL);
	AuxProcessResourceOwner = ResourceOwnerCreate(NULL, "AuxiliaryProcess");
	CurrentResourceOwner = AuxProcessResourceOwner;
}

void
ReleaseAuxProcessResources(bool isCommit)
{
	if (AuxProcessResourceOwner == NULL)
		return;
	ResourceOwnerRelease(AuxProcessResourceOwner, RESOURCE_RELEASE_BEFORE_LOCKS,
						 isCommit, true);
	ResourceOwnerRelease(AuxProcessResourceOwner, RESOURCE_RELEASE_LOCKS,
						 isCommit, true);
	ResourceOwnerRelease(AuxProcessResourceOwner, RESOURCE_RELEASE_AFTER_LOCKS,
						 isCommit, true);
}
