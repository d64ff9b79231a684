// The developer guide's chapter 4.4 "Delivering Scheduled Messages", as printed, with these
// changes only: the import path (this module instead of github.com/apache/rocketmq-client-go/v2),
// the values the guide says to replace (name-server address, topic) taken from the environment
// (ROCKETMQ_NAMESRV, ROCKETMQ_TOPIC), and the missing imports strconv and time added.
package main

import (
	"context"
	"fmt"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
	"os"
	"strconv"
	"time"
)

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
	msg := primitive.NewMessage(os.Getenv("ROCKETMQ_TOPIC"), []byte("Hello RocketMQ Go Client!"))
	msg.WithProperty("__STARTDELIVERTIME", strconv.FormatInt(time.Now().UnixMilli()+3000, 10))
	res, err := p.SendSync(context.Background(), msg)

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
