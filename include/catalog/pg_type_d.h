/*-------------------------------------------------------------------------
 *
 * pg_type_d.h
 *	  The OIDs of PostgreSQL's built-in types (PostgreSQL 17's names and
 *	  values, which are the same on every server since they are fixed at
 *	  initdb), and the pg_type column constants modules use.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_TYPE_D_H
#define PG_TYPE_D_H

#define TypeRelationId 1247

#define BOOLOID 16
#define BYTEAOID 17
#define CHAROID 18
#define NAMEOID 19
#define INT8OID 20
#define INT2OID 21
#define INT2VECTOROID 22
#define INT4OID 23
#define REGPROCOID 24
#define TEXTOID 25
#define OIDOID 26
#define TIDOID 27
#define XIDOID 28
#define CIDOID 29
#define OIDVECTOROID 30
#define JSONOID 114
#define XMLOID 142
#define PG_NODE_TREEOID 194
#define POINTOID 600
#define FLOAT4OID 700
#define FLOAT8OID 701
#define UNKNOWNOID 705
#define MONEYOID 790
#define MACADDROID 829
#define INETOID 869
#define CIDROID 650
#define ACLITEMOID 1033
#define BPCHAROID 1042
#define VARCHAROID 1043
#define DATEOID 1082
#define TIMEOID 1083
#define TIMESTAMPOID 1114
#define TIMESTAMPTZOID 1184
#define INTERVALOID 1186
#define TIMETZOID 1266
#define BITOID 1560
#define VARBITOID 1562
#define NUMERICOID 1700
#define REFCURSOROID 1790
#define REGPROCEDUREOID 2202
#define REGOPEROID 2203
#define REGOPERATOROID 2204
#define REGCLASSOID 2205
#define REGTYPEOID 2206
#define REGROLEOID 4096
#define REGNAMESPACEOID 4089
#define UUIDOID 2950
#define PG_LSNOID 3220
#define TSVECTOROID 3614
#define TSQUERYOID 3615
#define REGCONFIGOID 3734
#define JSONBOID 3802
#define JSONPATHOID 4072
#define XID8OID 5069
#define RECORDOID 2249
#define CSTRINGOID 2275
#define ANYOID 2276
#define VOIDOID 2278
#define TRIGGEROID 2279
#define INT4RANGEOID 3904
#define TSTZRANGEOID 3910

#define BOOLARRAYOID 1000
#define BYTEAARRAYOID 1001
#define CHARARRAYOID 1002
#define NAMEARRAYOID 1003
#define INT2ARRAYOID 1005
#define INT4ARRAYOID 1007
#define TEXTARRAYOID 1009
#define OIDARRAYOID 1028
#define VARCHARARRAYOID 1015
#define INT8ARRAYOID 1016
#define FLOAT4ARRAYOID 1021
#define FLOAT8ARRAYOID 1022
#define CSTRINGARRAYOID 1263
#define TIMESTAMPTZARRAYOID 1185
#define JSONBARRAYOID 3807

/* pg_type.typtype */
#define TYPTYPE_BASE		'b'
#define TYPTYPE_COMPOSITE	'c'
#define TYPTYPE_DOMAIN		'd'
#define TYPTYPE_ENUM		'e'
#define TYPTYPE_MULTIRANGE	'm'
#define TYPTYPE_PSEUDO		'p'
#define TYPTYPE_RANGE		'r'

/* pg_type.typalign */
#define TYPALIGN_CHAR		'c'
#define TYPALIGN_SHORT		's'
#define TYPALIGN_INT		'i'
#define TYPALIGN_DOUBLE		'd'

/* pg_type.typstorage */
#define TYPSTORAGE_PLAIN	'p'
#define TYPSTORAGE_EXTERNAL 'e'
#define TYPSTORAGE_EXTENDED 'x'
#define TYPSTORAGE_MAIN		'm'

#endif							/* PG_TYPE_D_H */
