// Package rocketmq is the root package of the Go binding of librocketmq, with the API of
// github.com/apache/rocketmq-client-go/v2 v2.1.1: programs written for it build with only
// their import paths changed (see README.md for what behaves differently, on purpose).
package rocketmq

import (
	"context"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/consumer"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

// Producer sends messages.
type Producer interface {
	Start() error
	Shutdown() error
	SendSync(ctx context.Context, mq ...*primitive.Message) (*primitive.SendResult, error)
	SendAsync(ctx context.Context, mq func(ctx context.Context, result *primitive.SendResult, err error),
		msg ...*primitive.Message) error
	SendOneWay(ctx context.Context, mq ...*primitive.Message) error
	Request(ctx context.Context, ttl time.Duration, msg *primitive.Message) (*primitive.Message, error)
	RequestAsync(ctx context.Context, ttl time.Duration, callback producer.RequestCallback, msg *primitive.Message) error
}

// NewProducer creates a producer.
func NewProducer(opts ...producer.Option) (Producer, error) {
	return producer.NewDefaultProducer(opts...)
}

// TransactionProducer sends transactional messages.
type TransactionProducer interface {
	Start() error
	Shutdown() error
	SendMessageInTransaction(ctx context.Context, mq *primitive.Message) (*primitive.TransactionSendResult, error)
}

// NewTransactionProducer creates a transaction producer.
func NewTransactionProducer(listener primitive.TransactionListener, opts ...producer.Option) (TransactionProducer, error) {
	return producer.NewTransactionProducer(listener, opts...)
}

// PushConsumer consumes messages pushed to callbacks.
type PushConsumer interface {
	Start() error
	Shutdown() error
	Subscribe(topic string, selector consumer.MessageSelector,
		f func(context.Context, ...*primitive.MessageExt) (consumer.ConsumeResult, error)) error
	Unsubscribe(topic string) error
	Suspend()
	Resume()
}

// NewPushConsumer creates a push consumer.
func NewPushConsumer(opts ...consumer.Option) (PushConsumer, error) {
	return consumer.NewPushConsumer(opts...)
}

// PullConsumer is v2.1.1's (never implemented) pull consumer interface.
type PullConsumer interface {
	Start() error
	Shutdown() error
	Subscribe(topic string, selector consumer.MessageSelector) error
	Unsubscribe(topic string) error
	MessageQueues(topic string) []primitive.MessageQueue
	Pull(ctx context.Context, topic string, numbers int) (*primitive.PullResult, error)
	PullFrom(ctx context.Context, mq primitive.MessageQueue, offset int64, numbers int) (*primitive.PullResult, error)
	Lookup(ctx context.Context, mq primitive.MessageQueue, timestamp int64) (int64, error)
	Commit(ctx context.Context, mqs ...primitive.MessageQueue) (int64, error)
	CommittedOffset(mq primitive.MessageQueue) (int64, error)
	Seek(mq primitive.MessageQueue, offset int64) error
}

// NewPullConsumer returns errors.ErrPullConsumer, as v2.1.1 does.
func NewPullConsumer(opts ...consumer.Option) (PullConsumer, error) {
	return nil, errors.ErrPullConsumer
}
