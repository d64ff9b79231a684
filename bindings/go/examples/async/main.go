// The developer guide's chapter 4.1 "Asynchronous Transmission", as printed, with these changes
// only: the import path (this module instead of github.com/apache/rocketmq-client-go/v2), and
// the values the guide says to replace (name-server address, topic) taken from the environment
// (ROCKETMQ_NAMESRV, ROCKETMQ_TOPIC).
package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

// implements an async producer to send message.
func main() {
	p, _ := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{os.Getenv("ROCKETMQ_NAMESRV")})),
		producer.WithRetry(2))

	err := p.Start()
	if err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	var wg sync.WaitGroup
	wg.Add(1)

	callback := func(ctx context.Context, result *primitive.SendResult, e error) {
		if e != nil {
			fmt.Printf("receive message error: %s\n", err)
		} else {
			fmt.Printf("send message success: result=%s\n", result.String())
		}
		wg.Done()
	}
	message := primitive.NewMessage(os.Getenv("ROCKETMQ_TOPIC"), []byte("Hello RocketMQ Go Client!"))
	err = p.SendAsync(context.Background(), callback, message)
	if err != nil {
		fmt.Printf("send message error: %s\n", err)
		wg.Done()
	}

	wg.Wait()
	err = p.Shutdown()
	if err != nil {
		fmt.Printf("shutdown producer error: %s", err.Error())
	}
}
