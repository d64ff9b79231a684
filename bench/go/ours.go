package main

import (
	"context"

	rocketmq "github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/consumer"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

type ours struct{}

func init() { clients["ours"] = ours{} }

func (ours) producer(namesrv string) (func(string, []byte) error, func(), error) {
	p, err := rocketmq.NewProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		producer.WithGroupName("bench_go_ours"))
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

func (ours) consume(namesrv, topic, group string, got func()) (func(), error) {
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
