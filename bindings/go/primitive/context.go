package primitive

import (
	"context"
	"math"
)

// CtxKey is the type of the context keys.
type CtxKey int

const (
	method CtxKey = iota
	consumerCtx
	orderlyCtx
	concurrentlyCtx
	producerCtx
)

// CommunicationMode of a send.
type CommunicationMode string

const (
	SendSync     = CommunicationMode("SendSync")
	SendOneway   = CommunicationMode("SendOneway")
	SendAsync    = CommunicationMode("SendAsync")
	ConsumerPush = "ConsumerPush"
	ConsumerPull = "ConsumerPull"
)

func WithMethod(ctx context.Context, m CommunicationMode) context.Context {
	return context.WithValue(ctx, method, m)
}

func GetMethod(ctx context.Context) CommunicationMode {
	m, _ := ctx.Value(method).(CommunicationMode)
	return m
}

// ConsumeMessageContext is what a consumer callback's context carries.
type ConsumeMessageContext struct {
	ConsumerGroup string
	Msgs          []*MessageExt
	MQ            *MessageQueue
	Success       bool
	Status        string
	Properties    map[string]string
}

func WithConsumerCtx(ctx context.Context, c *ConsumeMessageContext) context.Context {
	return context.WithValue(ctx, consumerCtx, c)
}

func GetConsumerCtx(ctx context.Context) (*ConsumeMessageContext, bool) {
	c, ok := ctx.Value(consumerCtx).(*ConsumeMessageContext)
	return c, ok
}

// ConsumeOrderlyContext is in an orderly callback's context.
type ConsumeOrderlyContext struct {
	MQ                            MessageQueue
	AutoCommit                    bool
	SuspendCurrentQueueTimeMillis int
}

func NewConsumeOrderlyContext() *ConsumeOrderlyContext {
	return &ConsumeOrderlyContext{AutoCommit: true, SuspendCurrentQueueTimeMillis: -1}
}

func WithOrderlyCtx(ctx context.Context, c *ConsumeOrderlyContext) context.Context {
	return context.WithValue(ctx, orderlyCtx, c)
}

func GetOrderlyCtx(ctx context.Context) (*ConsumeOrderlyContext, bool) {
	c, ok := ctx.Value(orderlyCtx).(*ConsumeOrderlyContext)
	return c, ok
}

// ConsumeConcurrentlyContext is in a concurrent callback's context.
type ConsumeConcurrentlyContext struct {
	MQ                        MessageQueue
	DelayLevelWhenNextConsume int
	AckIndex                  int32
}

func NewConsumeConcurrentlyContext() *ConsumeConcurrentlyContext {
	return &ConsumeConcurrentlyContext{AckIndex: math.MaxInt32}
}

func WithConcurrentlyCtx(ctx context.Context, c *ConsumeConcurrentlyContext) context.Context {
	return context.WithValue(ctx, concurrentlyCtx, c)
}

func GetConcurrentlyCtx(ctx context.Context) (*ConsumeConcurrentlyContext, bool) {
	c, ok := ctx.Value(concurrentlyCtx).(*ConsumeConcurrentlyContext)
	return c, ok
}

// ProducerCtx is in the context of a SendSync interceptor.
type ProducerCtx struct {
	ProducerGroup     string
	Message           Message
	MQ                MessageQueue
	BrokerAddr        string
	BornHost          string
	CommunicationMode CommunicationMode
	SendResult        *SendResult
	Props             map[string]string
	MsgType           MessageType
	Namespace         string
}

// MessageType of a sent message.
type MessageType int

const (
	NormalMsg MessageType = iota
	TransMsgHalf
	TransMsgCommit
	DelayMsg
)

func WithProducerCtx(ctx context.Context, c *ProducerCtx) context.Context {
	return context.WithValue(ctx, producerCtx, c)
}

// GetProducerCtx is v2.1.1's single-result form (nil when absent).
func GetProducerCtx(ctx context.Context) *ProducerCtx {
	c, _ := ctx.Value(producerCtx).(*ProducerCtx)
	return c
}

// Invoker calls the next step of an interceptor chain.
type Invoker func(ctx context.Context, req, reply interface{}) error

// Interceptor wraps a send or a consumption.
type Interceptor func(ctx context.Context, req, reply interface{}, next Invoker) error

// ChainInterceptors makes one interceptor of several (first is outermost); nil for none.
func ChainInterceptors(interceptors ...Interceptor) Interceptor {
	switch len(interceptors) {
	case 0:
		return nil
	case 1:
		return interceptors[0]
	}
	return func(ctx context.Context, req, reply interface{}, invoker Invoker) error {
		return interceptors[0](ctx, req, reply, chain(1, interceptors, invoker))
	}
}

func chain(i int, interceptors []Interceptor, final Invoker) Invoker {
	if i == len(interceptors) {
		return final
	}
	return func(ctx context.Context, req, reply interface{}) error {
		return interceptors[i](ctx, req, reply, chain(i+1, interceptors, final))
	}
}

// PanicHandler, when set, is called with a recovered panic of a callback.
var PanicHandler func(interface{})

// WithRecover runs fn, recovering a panic (passed to PanicHandler when set).
func WithRecover(fn func()) {
	defer func() {
		if r := recover(); r != nil && PanicHandler != nil {
			PanicHandler(r)
		}
	}()
	fn()
}
