// The developer guide's chapter 4.5 "Adding User Authentication Information to the Consumer",
// as printed, with these changes only: the import path (this module instead of
// github.com/apache/rocketmq-client-go/v2), the values the guide says to replace (group,
// name-server address, topic) taken from the environment (ROCKETMQ_GROUP, ROCKETMQ_NAMESRV,
// ROCKETMQ_TOPIC; the keys already come from ROCKETMQ_AK / ROCKETMQ_SK), the hour-long sleep
// made ROCKETMQ_SLEEP long (a Go duration), and the closing brace the page break put after
// Subscribe moved to the end of main.
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
	c, err := rocketmq.NewPushConsumer(
		consumer.WithGroupName(os.Getenv("ROCKETMQ_GROUP")),
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{os.Getenv("ROCKETMQ_NAMESRV")})),
		consumer.WithCredentials(primitive.Credentials{
			AccessKey: os.Getenv("ROCKETMQ_AK"), //Hard-coded or plaintext username and key are risky.
			SecretKey: os.Getenv("ROCKETMQ_SK"),
		}),
	)
	if err != nil {
		fmt.Println("init consumer error: " + err.Error())
		os.Exit(0)
	}

	err = c.Subscribe(os.Getenv("ROCKETMQ_TOPIC"), consumer.MessageSelector{}, func(ctx context.Context,
		msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		fmt.Printf("subscribe callback: %v \n", msgs)
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
