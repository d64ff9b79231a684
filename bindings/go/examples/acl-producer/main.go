// The developer guide's chapter 4.5 "Adding User Authentication Information to the Producer"
// (normal, ordered and scheduled messages), as printed, with these changes only: "package main"
// added (the guide's listing starts at the imports), the import path (this module instead of
// github.com/apache/rocketmq-client-go/v2), and the values the guide says to replace
// (name-server address, topic) taken from the environment (ROCKETMQ_NAMESRV, ROCKETMQ_TOPIC;
// the keys already come from ROCKETMQ_AK / ROCKETMQ_SK).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

func main() {
	p, err := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{os.Getenv("ROCKETMQ_NAMESRV")})),
		producer.WithRetry(2),
		producer.WithCredentials(primitive.Credentials{
			AccessKey: os.Getenv("ROCKETMQ_AK"), //Hard-coded or plaintext username and key are
			SecretKey: os.Getenv("ROCKETMQ_SK"),
		}),
	)
	if err != nil {
		fmt.Println("init producer error: " + err.Error())
		os.Exit(0)
	}

	err = p.Start()
	if err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	res, err := p.SendSync(context.Background(), primitive.NewMessage(os.Getenv("ROCKETMQ_TOPIC"),
		[]byte("Hello RocketMQ Go Client!")))

	if err != nil {
		fmt.Printf("send message error: %s\n", err)
	} else {
		fmt.Printf("send message success: result=%s\n", res.String())
	}
	err = p.Shutdown()
	if err != nil {
		fmt.Printf("shutdown producer error: %s", err.Error())
	}
}
