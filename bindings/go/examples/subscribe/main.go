// The developer guide's chapter 4.1 "Subscribing to Normal Messages", as printed, with these
// changes only: the import path (this module instead of github.com/apache/rocketmq-client-go/v2),
// the values the guide says to replace (group, name-server address, topic) taken from the
// environment (ROCKETMQ_GROUP, ROCKETMQ_NAMESRV, ROCKETMQ_TOPIC), and the hour-long sleep
// made ROCKETMQ_SLEEP long (a Go duration, e.g. 20s).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/consumer"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

func main() {
	c, _ := rocketmq.NewPushConsumer(
		consumer.WithGroupName(os.Getenv("ROCKETMQ_GROUP")),
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{os.Getenv("ROCKETMQ_NAMESRV")})),
	)
	err := c.Subscribe(os.Getenv("ROCKETMQ_TOPIC"), consumer.MessageSelector{}, func(ctx context.Context,
		msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for i := range msgs {
			fmt.Printf("subscribe callback: %v \n", msgs[i])
		}

		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fmt.Println(err.Error())
	}
	// Note: start after subscribe
	err = c.Start()
	if err != nil {
		fmt.Println(err.Error())
		os.Exit(-1)
	}
	sleep, _ := time.ParseDuration(os.Getenv("ROCKETMQ_SLEEP"))
	time.Sleep(sleep)
	err = c.Shutdown()
	if err != nil {
		fmt.Printf("Shutdown Consumer error: %s", err.Error())
	}
}
