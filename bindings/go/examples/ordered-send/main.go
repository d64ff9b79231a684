// The developer guide's chapter 4.2 "Sending Ordered Messages", as printed, with these changes
// only: the import path (this module instead of github.com/apache/rocketmq-client-go/v2), the
// values the guide says to replace (name-server address, topic) taken from the environment
// (ROCKETMQ_NAMESRV, ROCKETMQ_TOPIC), and the stray closing braces after main removed.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

// Package main implements a simple producer to send message.
func main() {
	p, _ := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{os.Getenv("ROCKETMQ_NAMESRV")})),
		producer.WithRetry(2),
	)
	err := p.Start()
	if err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	topic := os.Getenv("ROCKETMQ_TOPIC")

	for i := 0; i < 100; i++ {
		msg := &primitive.Message{
			Topic: topic,
			Body:  []byte("Hello RocketMQ Go Client! " + strconv.Itoa(i)),
		}
		orderId := strconv.Itoa(i % 10)
		msg.WithShardingKey(orderId)
		res, err := p.SendSync(context.Background(), msg)

		if err != nil {
			fmt.Printf("send message error: %s\n", err)
		} else {
			fmt.Printf("send message success: result=%s\n", res.String())
		}
	}
	err = p.Shutdown()
	if err != nil {
		fmt.Printf("shutdown producer error: %s", err.Error())
	}
}
