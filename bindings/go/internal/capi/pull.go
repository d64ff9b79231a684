package capi

/*
#include "bridge.h"
#include <rocketmq/CPullConsumer.h>
*/
import "C"

import (
	"errors"
	"sync"
	"unsafe"
)

// PullConsumer is a CPullConsumer.
type PullConsumer struct {
	mu sync.Mutex
	c  *C.CPullConsumer
}

// NewPullConsumer creates and starts a pull consumer.
func NewPullConsumer(group, nameServer, instance, accessKey, secretKey string) (*PullConsumer, error) {
	g, f := cstr(group)
	defer f()
	c := C.CreatePullConsumer(g)
	if c == nil {
		return nil, lastError("CreatePullConsumer failed")
	}
	if nameServer != "" {
		v, fv := cstr(nameServer)
		C.SetPullConsumerNameServerAddress(c, v)
		fv()
	}
	_ = instance // the C pull consumer has no instance-name setter; its client id is its own
	if accessKey != "" && secretKey != "" {
		ak, f1 := cstr(accessKey)
		sk, f2 := cstr(secretKey)
		ch, f3 := cstr("")
		C.SetPullConsumerSessionCredentials(c, ak, sk, ch)
		f1()
		f2()
		f3()
	}
	if err := callErr(C.StartPullConsumer(c), "StartPullConsumer"); err != nil {
		C.DestroyPullConsumer(c)
		return nil, err
	}
	return &PullConsumer{c: c}, nil
}

// Queues are the topic's readable queues.
func (pc *PullConsumer) Queues(topic string) ([]Queue, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.c == nil {
		return nil, errors.New("pull consumer is shut down")
	}
	t, f := cstr(topic)
	defer f()
	var mqs *C.CMessageQueue
	var n C.int
	if err := callErr(C.FetchSubscriptionMessageQueues(pc.c, t, &mqs, &n), "FetchSubscriptionMessageQueues"); err != nil {
		return nil, err
	}
	defer C.ReleaseSubscriptionMessageQueue(mqs)
	all := unsafe.Slice(mqs, int(n))
	out := make([]Queue, len(all))
	for i := range all {
		out[i] = queueFromC(&all[i])
	}
	return out, nil
}

// PullResult is a CPullResult with its messages copied.
type PullResult struct {
	Status          int
	NextBeginOffset int64
	MinOffset       int64
	MaxOffset       int64
	Messages        []*MessageExt
}

// Pull pulls at most max messages of q from offset that match the tag expression.
func (pc *PullConsumer) Pull(q Queue, expression string, offset int64, max int) (PullResult, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.c == nil {
		return PullResult{}, errors.New("pull consumer is shut down")
	}
	cq := q.toC()
	defer C.free(unsafe.Pointer(cq))
	e, f := cstr(expression)
	defer f()
	r := C.Pull(pc.c, cq, e, C.longlong(offset), C.int(max))
	defer C.ReleasePullResult(r)
	out := PullResult{Status: int(r.pullStatus), NextBeginOffset: int64(r.nextBeginOffset), MinOffset: int64(r.minOffset), MaxOffset: int64(r.maxOffset)}
	if r.size > 0 {
		for _, m := range unsafe.Slice(r.msgFoundList, int(r.size)) {
			out.Messages = append(out.Messages, messageExtFromC(m))
		}
	}
	return out, nil
}

// Destroy shuts the consumer down and frees it.
func (pc *PullConsumer) Destroy() error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.c == nil {
		return nil
	}
	err := callErr(C.ShutdownPullConsumer(pc.c), "ShutdownPullConsumer")
	C.DestroyPullConsumer(pc.c)
	pc.c = nil
	return err
}
