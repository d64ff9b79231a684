package capi

/*
#include "bridge.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// ProducerSettings are applied before Start.
type ProducerSettings struct {
	Group      string
	NameServer string // ";"-separated
	// NameServerDomain: an HTTP endpoint that lists the name servers (when NameServer is empty).
	NameServerDomain string
	InstanceName     string
	AccessKey        string
	SecretKey        string
	Channel          string
	SendTimeoutMs    int
	Retry            int
	MaxMessageSize   int
	CompressOver     int
	CompressLevel    int
	Trace            bool
	// TraceTopic: the trace records' topic; empty: the library's default (RMQ_SYS_TRACE_TOPIC).
	TraceTopic string
}

// TransactionChecker answers the broker's check of a transaction (C values: 0 commit,
// 1 rollback, 2 unknown).
type TransactionChecker func(*MessageExt) int

// Producer is a CProducer.
type Producer struct {
	mu      sync.Mutex
	c       *C.CProducer
	checker cgo.Handle // transaction producers: the checker, freed at Destroy
}

// NewProducer creates a producer (a transaction producer when checker is not nil).
func NewProducer(s ProducerSettings, checker TransactionChecker) (*Producer, error) {
	group, free := cstr(s.Group)
	defer free()
	p := &Producer{}
	if checker != nil {
		p.checker = cgo.NewHandle(checker)
		p.c = C.rmqgo_create_transaction_producer(group, C.uintptr_t(p.checker))
	} else {
		p.c = C.CreateProducer(group)
	}
	if p.c == nil {
		if checker != nil {
			p.checker.Delete()
		}
		return nil, lastError("CreateProducer failed")
	}
	setText := func(f func(*C.CProducer, *C.char) C.int, v string) {
		if v == "" {
			return
		}
		cv, fv := cstr(v)
		f(p.c, cv)
		fv()
	}
	setText(func(c *C.CProducer, v *C.char) C.int { return C.SetProducerNameServerAddress(c, v) }, s.NameServer)
	if s.NameServer == "" {
		setText(func(c *C.CProducer, v *C.char) C.int { return C.SetProducerNameServerDomain(c, v) }, s.NameServerDomain)
	}
	setText(func(c *C.CProducer, v *C.char) C.int { return C.SetProducerInstanceName(c, v) }, s.InstanceName)
	if s.AccessKey != "" && s.SecretKey != "" {
		ak, f1 := cstr(s.AccessKey)
		sk, f2 := cstr(s.SecretKey)
		ch, f3 := cstr(s.Channel)
		C.SetProducerSessionCredentials(p.c, ak, sk, ch)
		f1()
		f2()
		f3()
	}
	if s.SendTimeoutMs > 0 {
		C.SetProducerSendMsgTimeout(p.c, C.int(s.SendTimeoutMs))
	}
	if s.Retry >= 0 {
		C.SetProducerRetryTimes(p.c, C.int(s.Retry))
	}
	if s.MaxMessageSize > 0 {
		C.SetProducerMaxMessageSize(p.c, C.int(s.MaxMessageSize))
	}
	if s.CompressOver > 0 {
		C.SetProducerCompressMsgBodyOverHowmuch(p.c, C.int(s.CompressOver))
	}
	if s.CompressLevel >= 0 {
		C.SetProducerCompressLevel(p.c, C.int(s.CompressLevel))
	}
	if s.Trace {
		C.SetProducerMessageTrace(p.c, C.OPEN)
		setText(func(c *C.CProducer, v *C.char) C.int { return C.SetProducerMessageTraceTopic(c, v) }, s.TraceTopic)
	}
	return p, nil
}

// Start starts the producer.
func (p *Producer) Start() error {
	return callErr(C.StartProducer(p.c), "StartProducer")
}

// Destroy shuts the producer down (the library waits for a running transaction check) and frees
// it; afterwards no callback of it runs.
func (p *Producer) Destroy() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil {
		return nil
	}
	err := callErr(C.ShutdownProducer(p.c), "ShutdownProducer")
	C.DestroyProducer(p.c)
	p.c = nil
	if p.checker != 0 {
		p.checker.Delete()
		p.checker = 0
	}
	return err
}

// writeBack copies the properties the library set during the send (UNIQ_KEY, ...) into props.
func writeBack(c *C.CMessage, props map[string]string, keys ...string) {
	for _, k := range keys {
		ck, f := cstr(k)
		v := C.GoString(C.GetOriginMessageProperty(c, ck))
		f()
		if v != "" {
			props[k] = v
		}
	}
}

// SendSync sends m (to q when not nil) within timeoutMs (0: the producer's timeout). The
// message's new properties (its UNIQ_KEY) are written back into m.Properties. One cgo call
// (bridge.c's rmqgo_send_sync) makes the C message, sends and destroys it.
func (p *Producer) SendSync(m *Message, q *Queue, timeoutMs int) (SendResult, error) {
	text := sendText(m)
	var body *C.char
	if len(m.Body) > 0 {
		body = (*C.char)(unsafe.Pointer(&m.Body[0]))
	}
	var cq *C.CMessageQueue
	if q != nil {
		cq = new(C.CMessageQueue)
		copyText(q.Topic, cq.topic[:])
		copyText(q.BrokerName, cq.brokerName[:])
		cq.queueId = C.int(q.QueueID)
	}
	out := new(C.rmqgo_sync_out)
	rc := C.rmqgo_send_sync(p.c, (*C.char)(unsafe.Pointer(&text[0])), C.int(len(m.Properties)), body,
		C.int(len(m.Body)), cq, C.int(timeoutMs), out)
	yieldAfterBlockingCall()
	uniq := C.GoString(&out.uniqKey[0])
	if out.uniqKeyLong != nil {
		uniq = C.GoString(out.uniqKeyLong)
		C.free(unsafe.Pointer(out.uniqKeyLong))
	}
	if uniq != "" && m.Properties != nil {
		m.Properties["UNIQ_KEY"] = uniq
	}
	if rc != statusOK {
		text := ""
		if out.error != nil {
			text = C.GoString(out.error)
			C.free(unsafe.Pointer(out.error))
		}
		if text == "" {
			if rc == -1 {
				text = "CreateMessage failed"
			} else {
				text = "SendMessageSyncEx failed"
			}
		}
		return SendResult{}, errors.New(text)
	}
	return sendResultFromC(&out.result), nil
}

// sendText is the topic and then each property's key and value, each NUL-terminated (the form
// rmqgo_send_sync reads); a string is cut at a NUL in it, as the C API would read it.
func sendText(m *Message) []byte {
	n := len(m.Topic) + 1
	for k, v := range m.Properties {
		n += len(k) + len(v) + 2
	}
	b := appendCString(make([]byte, 0, n), m.Topic)
	for k, v := range m.Properties {
		b = appendCString(appendCString(b, k), v)
	}
	return b
}

func appendCString(b []byte, s string) []byte {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return append(append(b, s...), 0)
}

// How often (process-wide) yieldAfterBlockingCall lets a goroutine through the scheduler.
const yieldEvery = 5 * time.Millisecond

var (
	monoStart = time.Now()
	nextYield atomic.Int64 // time.Since(monoStart) of the next yield
)

// yieldAfterBlockingCall passes the goroutine through the Go scheduler (runtime.Gosched) at most
// once per yieldEvery. A goroutine that does nothing but synchronous sends (blocking cgo calls)
// never passes the scheduler; after 10 ms of that, the runtime's monitor thread (sysmon) counts
// its P as running too long and takes the P away during every later call that lasts over 20 µs,
// waking every 20 µs to do so: about one more context switch per send (one goroutine against a
// 4.9.7 broker: 2.2 voluntary switches per send without this, 1.1 with it; C: 0.9). A yield costs
// two switches once per yieldEvery.
func yieldAfterBlockingCall() {
	now := int64(time.Since(monoStart))
	if now < nextYield.Load() {
		return
	}
	nextYield.Store(now + int64(yieldEvery))
	runtime.Gosched()
}

// SendDone receives the outcome of SendAsync, once, on the library's callback thread.
type SendDone func(SendResult, error)

// SendAsync sends m (to q when not nil); done is called exactly once unless an error is
// returned.
func (p *Producer) SendAsync(m *Message, q *Queue, done SendDone) error {
	c, err := newCMessage(m)
	if err != nil {
		return err
	}
	defer C.DestroyMessage(c)
	cq := q.toC()
	defer C.free(unsafe.Pointer(cq))
	h := cgo.NewHandle(done)
	rc := C.rmqgo_send_async(p.c, c, cq, C.uintptr_t(h))
	err = callErr(rc, "SendMessageAsyncEx") // the error text is this thread's: read it first
	writeBack(c, m.Properties, "UNIQ_KEY")
	if err != nil {
		h.Delete()
		return err
	}
	return nil
}

// SendOneway writes m once (to the queue at index when index >= 0), without a result.
func (p *Producer) SendOneway(m *Message, index int) error {
	c, err := newCMessage(m)
	if err != nil {
		return err
	}
	defer C.DestroyMessage(c)
	var rc C.int
	if index >= 0 {
		rc = C.rmqgo_send_oneway_to(p.c, c, C.int(index))
	} else {
		rc = C.SendMessageOneway(p.c, c)
	}
	err = callErr(rc, "SendMessageOneway") // the error text is this thread's: read it first
	writeBack(c, m.Properties, "UNIQ_KEY")
	yieldAfterBlockingCall()
	return err
}

// SendBatch sends messages of one topic in one request.
func (p *Producer) SendBatch(msgs []*Message) (SendResult, error) {
	b := C.CreateBatchMessage()
	if b == nil {
		return SendResult{}, lastError("CreateBatchMessage failed")
	}
	defer C.DestroyBatchMessage(b)
	for _, m := range msgs {
		c, err := newCMessage(m)
		if err != nil {
			return SendResult{}, err
		}
		C.AddMessage(b, c)
		C.DestroyMessage(c)
	}
	var r C.CSendResultEx
	err := callErr(C.SendBatchMessageEx(p.c, b, &r), "SendBatchMessageEx")
	yieldAfterBlockingCall()
	if err != nil {
		return SendResult{}, err
	}
	return sendResultFromC(&r), nil
}

// Queues are the topic's writable queues, in the library's order.
func (p *Producer) Queues(topic string) ([]Queue, error) {
	ct, f := cstr(topic)
	defer f()
	var mqs *C.CMessageQueue
	var n C.int
	if err := callErr(C.FetchProducerMessageQueues(p.c, ct, &mqs, &n), "FetchProducerMessageQueues"); err != nil {
		return nil, err
	}
	defer C.ReleaseProducerMessageQueues(mqs)
	all := unsafe.Slice(mqs, int(n))
	out := make([]Queue, len(all))
	for i := range all {
		out[i] = queueFromC(&all[i])
	}
	return out, nil
}

// TransactionExecutor runs the local transaction of a half message that was stored; it gets the
// message's properties as the library set them (UNIQ_KEY, TRAN_MSG, ...) and returns the C
// state (0 commit, 1 rollback, 2 unknown).
type TransactionExecutor func(props map[string]string) int

// SendTransaction sends m as a half message, runs execute on this goroutine and ends the
// transaction with its answer.
func (p *Producer) SendTransaction(m *Message, execute TransactionExecutor) (SendResult, error) {
	c, err := newCMessage(m)
	if err != nil {
		return SendResult{}, err
	}
	defer C.DestroyMessage(c)
	h := cgo.NewHandle(execute)
	defer h.Delete()
	var r C.CSendResultEx
	rc := C.rmqgo_send_transaction(p.c, c, C.uintptr_t(h), &r)
	err = callErr(rc, "SendMessageTransactionEx") // the error text is this thread's: read it first
	writeBack(c, m.Properties, "UNIQ_KEY", "TRAN_MSG", "PGROUP")
	yieldAfterBlockingCall()
	if err != nil {
		return SendResult{}, err
	}
	return sendResultFromC(&r), nil
}

// SetLogLevel sets the library's process-wide log level.
func SetLogLevel(level int) {
	g, f := cstr("rocketmq-go-log")
	defer f()
	p := C.CreateProducer(g)
	C.SetProducerLogLevel(p, C.CLogLevel(level))
	C.DestroyProducer(p)
}

// SetLogPath sets the directory of the library's log file.
func SetLogPath(path string) {
	g, f := cstr("rocketmq-go-log")
	defer f()
	p := C.CreateProducer(g)
	cp, fp := cstr(path)
	defer fp()
	C.SetProducerLogPath(p, cp)
	C.DestroyProducer(p)
}
