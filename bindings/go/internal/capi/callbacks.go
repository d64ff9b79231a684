package capi

/*
#include "bridge.h"
*/
import "C"

import (
	"errors"
	"runtime/cgo"
	"unsafe"
)

// The functions the library calls back, on its own threads (bridge.c adapts the types). A Go
// panic must not unwind into C: the callers in the packages above recover their users' panics;
// these only convert data.

//export rmqgoSendDone
func rmqgoSendDone(status C.int, result *C.CSendResultEx, errorText *C.char, h C.uintptr_t) {
	handle := cgo.Handle(h)
	done := handle.Value().(SendDone)
	handle.Delete()
	if status != statusOK || result == nil {
		done(SendResult{}, errors.New(C.GoString(errorText)))
		return
	}
	done(sendResultFromC(result), nil)
}

//export rmqgoExecuteTransaction
func rmqgoExecuteTransaction(msg *C.CMessage, h C.uintptr_t) C.int {
	execute := cgo.Handle(h).Value().(TransactionExecutor)
	props := decodeProperties(C.GoString(C.GetMessageProperties((*C.CMessageExt)(unsafe.Pointer(msg)))))
	return C.int(execute(props))
}

//export rmqgoCheckTransaction
func rmqgoCheckTransaction(msg *C.CMessageExt, h C.uintptr_t) C.int {
	check := cgo.Handle(h).Value().(TransactionChecker)
	return C.int(check(messageExtFromC(msg)))
}

//export rmqgoConsume
func rmqgoConsume(mq *C.CMessageQueue, msgs **C.CMessageExt, count C.int, h C.uintptr_t) C.int {
	consume := cgo.Handle(h).Value().(Consume)
	handles := unsafe.Slice(msgs, int(count))
	batch := make([]*MessageExt, len(handles))
	for i, m := range handles {
		batch[i] = messageExtFromC(m)
	}
	if consume(queueFromC(mq), batch) {
		return 0
	}
	return 1
}
