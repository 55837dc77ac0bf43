// Package bench holds bgworker's benchmarks: the bench module
// (bgbench/bgbench.c, ordinary PostgreSQL bgworker code built against both
// include/ and PostgreSQL 15's server headers) and the driver
// (cmd/bgbench, run by `make bench` and `make bench-pg`). This package's
// test only checks that the module still compiles; nothing here measures
// time in a test.
package bench
