// The developer guide's chapter 4.5 "Adding User Authentication Information to the Producer",
// transactional messages, as printed, with these changes only: the import path (this module
// instead of github.com/apache/rocketmq-client-go/v2), the values the guide says to replace
// (name-server address, topic) taken from the environment (ROCKETMQ_NAMESRV, ROCKETMQ_TOPIC;
// the keys already come from ROCKETMQ_AK / ROCKETMQ_SK), the five-minute sleep made
// ROCKETMQ_SLEEP long (a Go duration), the extra ")" after the credentials removed, and the
// closing brace the page break put after p.Start() moved to the end of main.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/producer"
)

type DemoListener struct {
	localTrans       *sync.Map
	transactionIndex int32
}

func NewDemoListener() *DemoListener {
	return &DemoListener{
		localTrans: new(sync.Map),
	}
}

func (dl *DemoListener) ExecuteLocalTransaction(msg *primitive.Message) primitive.LocalTransactionState {
	nextIndex := atomic.AddInt32(&dl.transactionIndex, 1)
	fmt.Printf("nextIndex: %v for transactionID: %v\n", nextIndex, msg.TransactionId)
	status := nextIndex % 3
	dl.localTrans.Store(msg.TransactionId, primitive.LocalTransactionState(status+1))

	fmt.Printf("dl")
	return primitive.UnknowState
}

func (dl *DemoListener) CheckLocalTransaction(msg *primitive.MessageExt) primitive.LocalTransactionState {
	fmt.Printf("%v msg transactionID : %v\n", time.Now(), msg.TransactionId)
	v, existed := dl.localTrans.Load(msg.TransactionId)
	if !existed {
		fmt.Printf("unknow msg: %v, return Commit", msg)
		return primitive.CommitMessageState
	}
	state := v.(primitive.LocalTransactionState)
	switch state {
	case 1:
		fmt.Printf("checkLocalTransaction COMMIT_MESSAGE: %v\n", msg)
		return primitive.CommitMessageState
	case 2:
		fmt.Printf("checkLocalTransaction ROLLBACK_MESSAGE: %v\n", msg)
		return primitive.RollbackMessageState
	case 3:
		fmt.Printf("checkLocalTransaction unknow: %v\n", msg)
		return primitive.UnknowState
	default:
		fmt.Printf("checkLocalTransaction default COMMIT_MESSAGE: %v\n", msg)
		return primitive.CommitMessageState
	}
}

func main() {
	p, _ := rocketmq.NewTransactionProducer(
		NewDemoListener(),
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{os.Getenv("ROCKETMQ_NAMESRV")})),
		producer.WithRetry(2),
		producer.WithCredentials(primitive.Credentials{
			AccessKey: os.Getenv("ROCKETMQ_AK"), //Hard-coded or plaintext username and key are
			SecretKey: os.Getenv("ROCKETMQ_SK"),
		}),
	)
	err := p.Start()
	if err != nil {
		fmt.Printf("start producer error: %s\n", err.Error())
		os.Exit(1)
	}

	for i := 0; i < 10; i++ {
		res, err := p.SendMessageInTransaction(context.Background(),
			primitive.NewMessage(os.Getenv("ROCKETMQ_TOPIC"), []byte("Hello RocketMQ again "+strconv.Itoa(i))))

		if err != nil {
			fmt.Printf("send message error: %s\n", err)
		} else {
			fmt.Printf("send message success: result=%s\n", res.String())
		}
	}
	sleep, _ := time.ParseDuration(os.Getenv("ROCKETMQ_SLEEP"))
	time.Sleep(sleep)
	err = p.Shutdown()
	if err != nil {
		fmt.Printf("shutdown producer error: %s", err.Error())
	}
}
