//go:build !rocketmq_static

package capi

// The shared library and headers, found with pkg-config (scripts/install.sh or `make install`
// writes rocketmq.pc; set PKG_CONFIG_PATH for a prefix outside pkg-config's search path).

// #cgo pkg-config: rocketmq
import "C"
