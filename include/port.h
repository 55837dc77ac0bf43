/*
 * port.h
 *	  Portability helpers modules reach through c.h: path and string
 *	  functions that PostgreSQL provides itself.
 */
#ifndef PG_PORT_H
#define PG_PORT_H

#include <unistd.h>

#define IS_DIR_SEP(ch)	((ch) == '/')
#define is_absolute_path(filename) \
	((filename) != NULL && IS_DIR_SEP((filename)[0]))

extern char *last_dir_separator(const char *filename);
extern char *first_dir_separator(const char *filename);
extern void canonicalize_path(char *path);
extern void join_path_components(char *ret_path, const char *head, const char *tail);
extern bool path_is_prefix_of_path(const char *path1, const char *path2);
extern const char *get_progname(const char *argv0);
extern unsigned char pg_toupper(unsigned char ch);
extern unsigned char pg_tolower(unsigned char ch);
extern char *pg_strerror(int errnum);
extern void pg_usleep(long microsec);

/*
 * Install a signal handler (PostgreSQL declares it here, so every module
 * sees it through postgres.h).  Implemented in cshim/common/pqsignal.c.
 */
#ifndef PQSIGFUNC_DEFINED
#define PQSIGFUNC_DEFINED
typedef void (*pqsigfunc) (int signo);
#endif
extern pqsigfunc pqsignal(int signo, pqsigfunc func);

#endif							/* PG_PORT_H */
