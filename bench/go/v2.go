package main

// The same as ours.go, with the pure Go client github.com/apache/rocketmq-client-go/v2.

import (
	"context"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
)

type v2 struct{}

func init() { clients["v2"] = v2{} }

func (v2) producer(namesrv string) (func(string, []byte) error, func(), error) {
	p, err := rocketmq.NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		producer.WithGroupName("bench_go_v2"))
	if err != nil {
		return nil, nil, err
	}
	if err := p.Start(); err != nil {
		return nil, nil, err
	}
	send := func(topic string, body []byte) error {
		_, err := p.SendSync(context.Background(), primitive.NewMessage(topic, body))
		return err
	}
	return send, func() { _ = p.Shutdown() }, nil
}

func (v2) consume(namesrv, topic, group string, got func()) (func(), error) {
	c, err := rocketmq.NewPushConsumer(consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		consumer.WithGroupName(group), consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	if err != nil {
		return nil, err
	}
	err = c.Subscribe(topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for range msgs {
			got()
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	return func() { _ = c.Shutdown() }, nil
}
