package capi

/*
#include "bridge.h"
*/
import "C"

import (
	"runtime/cgo"
	"sync"
)

// ConsumerSettings are applied before Start.
type ConsumerSettings struct {
	Group             string
	NameServer        string
	NameServerDomain  string // an HTTP endpoint listing the name servers (when NameServer is empty)
	InstanceName      string
	AccessKey         string
	SecretKey         string
	Channel           string
	Broadcasting      bool
	Orderly           bool
	ConsumeFrom       int   // 0 last, 1 first, 2 timestamp
	ConsumeTimestamp  int64 // ms, with ConsumeFrom 2
	MaxReconsumeTimes int   // negative: the library's default
	BatchMaxSize      int
	Threads           int
	MaxCachePerQueue  int
	MaxConsumeTps     int
	Trace             bool
	// TraceTopic: the trace records' topic; empty: the library's default (RMQ_SYS_TRACE_TOPIC).
	TraceTopic string
	// Subscriptions: topic -> tag expression.
	Subscriptions map[string]string
	// SQL92 marks the topics of Subscriptions whose expression is SQL92.
	SQL92 map[string]bool
}

// Consume handles one batch of one queue; true when consumed.
type Consume func(mq Queue, msgs []*MessageExt) bool

// PushConsumer is a CPushConsumer.
type PushConsumer struct {
	mu       sync.Mutex
	c        *C.CPushConsumer
	listener cgo.Handle
}

// NewPushConsumer creates a push consumer calling consume for every batch.
func NewPushConsumer(s ConsumerSettings, consume Consume) (*PushConsumer, error) {
	group, free := cstr(s.Group)
	defer free()
	c := C.CreatePushConsumer(group)
	if c == nil {
		return nil, lastError("CreatePushConsumer failed")
	}
	pc := &PushConsumer{c: c, listener: cgo.NewHandle(consume)}
	if s.NameServer != "" {
		v, f := cstr(s.NameServer)
		C.SetPushConsumerNameServerAddress(c, v)
		f()
	}
	if s.NameServer == "" && s.NameServerDomain != "" {
		v, f := cstr(s.NameServerDomain)
		C.SetPushConsumerNameServerDomain(c, v)
		f()
	}
	if s.InstanceName != "" {
		v, f := cstr(s.InstanceName)
		C.SetPushConsumerInstanceName(c, v)
		f()
	}
	if s.AccessKey != "" && s.SecretKey != "" {
		ak, f1 := cstr(s.AccessKey)
		sk, f2 := cstr(s.SecretKey)
		ch, f3 := cstr(s.Channel)
		C.SetPushConsumerSessionCredentials(c, ak, sk, ch)
		f1()
		f2()
		f3()
	}
	if s.Broadcasting {
		C.SetPushConsumerMessageModel(c, C.BROADCASTING)
	}
	C.SetPushConsumerConsumeFromWhere(c, C.int(s.ConsumeFrom), C.longlong(s.ConsumeTimestamp))
	if s.MaxReconsumeTimes >= 0 {
		C.SetPushConsumerMaxReconsumeTimes(c, C.int(s.MaxReconsumeTimes))
	}
	if s.BatchMaxSize > 0 {
		C.SetPushConsumerMessageBatchMaxSize(c, C.int(s.BatchMaxSize))
	}
	if s.Threads > 0 {
		C.SetPushConsumerThreadCount(c, C.int(s.Threads))
	}
	if s.MaxCachePerQueue > 0 {
		C.SetPushConsumerMaxCacheMessageSize(c, C.int(s.MaxCachePerQueue))
	}
	if s.MaxConsumeTps > 0 {
		C.SetPushConsumerMaxConsumeTps(c, C.int(s.MaxConsumeTps))
	}
	if s.Trace {
		C.SetPushConsumerMessageTrace(c, C.OPEN)
		if s.TraceTopic != "" {
			v, f := cstr(s.TraceTopic)
			C.SetPushConsumerMessageTraceTopic(c, v)
			f()
		}
	}
	for topic, expr := range s.Subscriptions {
		kind := "TAG"
		if s.SQL92[topic] {
			kind = "SQL92"
		}
		t, f1 := cstr(topic)
		k, f2 := cstr(kind)
		e, f3 := cstr(expr)
		rc := C.SubscribeWithType(c, t, k, e)
		f1()
		f2()
		f3()
		if err := callErr(rc, "SubscribeWithType"); err != nil {
			C.DestroyPushConsumer(c)
			pc.listener.Delete()
			return nil, err
		}
	}
	orderly := C.int(0)
	if s.Orderly {
		orderly = 1
	}
	C.rmqgo_register_batch(c, C.uintptr_t(pc.listener), orderly)
	return pc, nil
}

// Start starts consuming.
func (pc *PushConsumer) Start() error {
	return callErr(C.StartPushConsumer(pc.c), "StartPushConsumer")
}

// Destroy shuts the consumer down (callbacks in flight finish, offsets are committed, its
// threads are joined) and frees it; afterwards no callback of it runs.
func (pc *PushConsumer) Destroy() error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.c == nil {
		return nil
	}
	if err := callErr(C.ShutdownPushConsumer(pc.c), "ShutdownPushConsumer"); err != nil {
		// E.g. called from the consumer's own callback: it keeps running, and keeps its
		// callback handle.
		return err
	}
	C.DestroyPushConsumer(pc.c)
	pc.c = nil
	pc.listener.Delete()
	return nil
}
