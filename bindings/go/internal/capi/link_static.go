//go:build rocketmq_static

package capi

// Build tag rocketmq_static: librocketmq.a is linked into the program, which then needs only
// libc at run time. Headers and the archive are looked up in the compiler's default paths
// (/usr/local after `make install`); for another prefix set
// CGO_CFLAGS=-I$PREFIX/include and CGO_LDFLAGS=-L$PREFIX/lib.

// #cgo LDFLAGS: -l:librocketmq.a -lgcc_eh -lpthread -ldl -lm
import "C"
