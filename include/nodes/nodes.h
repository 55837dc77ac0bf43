/*-------------------------------------------------------------------------
 *
 * nodes.h
 *	  The node tag at the start of every tagged runtime structure.  bgworker
 *	  has no parse or plan trees; only the memory-context tags are used,
 *	  but the names and macros are PostgreSQL's.
 *
 *-------------------------------------------------------------------------
 */
#ifndef NODES_H
#define NODES_H

typedef enum NodeTag
{
	T_Invalid = 0,
	T_AllocSetContext,
	T_GenerationContext,
	T_SlabContext,
	T_BumpContext,
	T_ReturnSetInfo,			/* nodes/execnodes.h */
	T_ExprContext,				/* nodes/execnodes.h */
} NodeTag;

/* Anything that starts with a NodeTag. */
typedef struct Node
{
	NodeTag		type;
} Node;

#define nodeTag(nodeptr)		(((const Node*)(nodeptr))->type)
#define IsA(nodeptr,_type_)		(nodeTag(nodeptr) == T_##_type_)

#endif							/* NODES_H */
