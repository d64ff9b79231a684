// Package capi is the only cgo code of the binding: thin Go wrappers of the C API in
// include/rocketmq (librocketmq). It holds no behaviour of its own: every rule (retries,
// queue choice, offsets, transactions) is the library's. No Go pointer is kept by C: messages
// are copied into C handles for a call, callbacks reach Go through runtime/cgo.Handle values.
package capi

/*
#include "bridge.h"
*/
import "C"

import (
	"errors"
	"strings"
	"unsafe"
)

// Status codes of the C API (CCommon.h).
const (
	statusOK = 0
)

// lastError is the library's text for the failure just returned on this thread.
func lastError(fallback string) error {
	text := C.GoString(C.GetLatestErrorMessage())
	if text == "" {
		text = fallback
	}
	return errors.New(text)
}

// callErr turns a C status into an error (nil for 0).
func callErr(rc C.int, what string) error {
	if rc == statusOK {
		return nil
	}
	return lastError(what + " failed")
}

// cstr is a C copy of s, freed by the returned function.
func cstr(s string) (*C.char, func()) {
	p := C.CString(s)
	return p, func() { C.free(unsafe.Pointer(p)) }
}

// Queue is a CMessageQueue.
type Queue struct {
	Topic      string
	BrokerName string
	QueueID    int
}

func (q *Queue) toC() *C.CMessageQueue {
	if q == nil {
		return nil
	}
	c := (*C.CMessageQueue)(C.calloc(1, C.size_t(unsafe.Sizeof(C.CMessageQueue{}))))
	copyText(q.Topic, c.topic[:])
	copyText(q.BrokerName, c.brokerName[:])
	c.queueId = C.int(q.QueueID)
	return c
}

func queueFromC(c *C.CMessageQueue) Queue {
	return Queue{Topic: C.GoString(&c.topic[0]), BrokerName: C.GoString(&c.brokerName[0]), QueueID: int(c.queueId)}
}

func copyText(s string, buf []C.char) {
	n := len(s)
	if n > len(buf)-1 {
		n = len(buf) - 1
	}
	for i := 0; i < n; i++ {
		buf[i] = C.char(s[i])
	}
	buf[n] = 0
}

// Message is what a send needs: topic, body and every property (tags, keys, delay included).
type Message struct {
	Topic      string
	Body       []byte
	Properties map[string]string
}

// newCMessage copies m into a new C message handle.
func newCMessage(m *Message) (*C.CMessage, error) {
	topic, free := cstr(m.Topic)
	defer free()
	c := C.CreateMessage(topic)
	if c == nil {
		return nil, lastError("CreateMessage failed")
	}
	if len(m.Body) > 0 {
		// The library copies the body during the call.
		C.SetByteMessageBody(c, (*C.char)(unsafe.Pointer(&m.Body[0])), C.int(len(m.Body)))
	}
	for k, v := range m.Properties {
		ck, fk := cstr(k)
		cv, fv := cstr(v)
		C.SetMessageProperty(c, ck, cv)
		fk()
		fv()
	}
	return c, nil
}

// MessageExt is a message handed out by the library (consumed, checked back).
type MessageExt struct {
	Topic                     string
	Body                      []byte
	Properties                map[string]string
	MsgID                     string
	OffsetMsgID               string
	QueueID                   int
	StoreSize                 int32
	SysFlag                   int32
	BodyCRC                   int32
	Flag                      int32
	QueueOffset               int64
	BornTimestamp             int64
	BornHost                  string
	StoreTimestamp            int64
	StoreHost                 string
	CommitLogOffset           int64
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
}

// messageExtFromC copies every field of m (one library call).
func messageExtFromC(m *C.CMessageExt) *MessageExt {
	var f C.CMessageExtFields
	if C.GetMessageExtFields(m, &f) != statusOK {
		return &MessageExt{Properties: map[string]string{}}
	}
	var body []byte
	if f.bodyLength > 0 {
		body = C.GoBytes(unsafe.Pointer(f.body), f.bodyLength)
	}
	return &MessageExt{
		Topic:                     C.GoString(f.topic),
		Body:                      body,
		Properties:                decodeProperties(C.GoString(f.properties)),
		MsgID:                     C.GoString(f.msgId),
		OffsetMsgID:               C.GoString(f.offsetMsgId),
		QueueID:                   int(f.queueId),
		StoreSize:                 int32(f.storeSize),
		QueueOffset:               int64(f.queueOffset),
		SysFlag:                   int32(f.sysFlag),
		BodyCRC:                   int32(f.bodyCRC),
		Flag:                      int32(f.flag),
		BornTimestamp:             int64(f.bornTimestamp),
		BornHost:                  C.GoString(f.bornHost),
		StoreTimestamp:            int64(f.storeTimestamp),
		StoreHost:                 C.GoString(f.storeHost),
		CommitLogOffset:           int64(f.commitLogOffset),
		ReconsumeTimes:            int32(f.reconsumeTimes),
		PreparedTransactionOffset: int64(f.preparedTransactionOffset),
	}
}

// decodeProperties reads the library's key\x01value\x02 form.
func decodeProperties(s string) map[string]string {
	props := make(map[string]string)
	for _, pair := range strings.Split(s, "\x02") {
		if k, v, ok := strings.Cut(pair, "\x01"); ok && k != "" {
			props[k] = v
		}
	}
	return props
}

// SendResult is a CSendResultEx.
type SendResult struct {
	Status        int
	MsgID         string
	OffsetMsgID   string
	TransactionID string
	Queue         Queue
	QueueOffset   int64
}

func sendResultFromC(r *C.CSendResultEx) SendResult {
	return SendResult{
		Status:        int(r.sendStatus),
		MsgID:         C.GoString(&r.msgId[0]),
		OffsetMsgID:   C.GoString(&r.offsetMsgId[0]),
		TransactionID: C.GoString(&r.transactionId[0]),
		Queue:         Queue{Topic: C.GoString(&r.topic[0]), BrokerName: C.GoString(&r.brokerName[0]), QueueID: int(r.queueId)},
		QueueOffset:   int64(r.offset),
	}
}

// Log levels of the library (CLogLevel).
const (
	LogFatal = 1
	LogError = 2
	LogWarn  = 3
	LogInfo  = 4
	LogDebug = 5
)
