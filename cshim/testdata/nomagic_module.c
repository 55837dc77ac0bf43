/* nomagic_module.c: a library without PG_MODULE_MAGIC, for fork_test.go. */
void _PG_init(void);
void _PG_init(void) {}
