package primitive

import (
	"fmt"
	"testing"
)

func TestMessageStringIsV2Format(t *testing.T) {
	m := NewMessage("topic1", []byte("Hello"))
	m.WithTag("TagA").WithKeys([]string{"KeyA", "KeyB"}).WithShardingKey("o1")
	m.WithProperty("__STARTDELIVERTIME", "123")
	want := "[topic=topic1, body=Hello, Flag=0, properties=map[KEYS:KeyA KeyB SHARDING_KEY:o1 TAGS:TagA __STARTDELIVERTIME:123], TransactionId=]"
	if got := m.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if m.GetKeys() != "KeyA KeyB" {
		t.Fatalf("keys %q: no trailing space wanted", m.GetKeys())
	}
}

func TestWithPropertyIgnoresEmpty(t *testing.T) {
	m := &Message{Topic: "t"}
	m.WithProperty("", "v")
	m.WithProperty("k", "")
	if len(m.GetProperties()) != 0 {
		t.Fatal(m.GetProperties())
	}
	m.WithProperty("k", "v")
	if m.RemoveProperty("k") != "v" || m.GetProperty("k") != "" {
		t.Fatal("remove")
	}
}

func TestMessageExtString(t *testing.T) {
	m := &MessageExt{MsgId: "ID"}
	m.Topic, m.Body = "t", []byte("b")
	m.Queue = &MessageQueue{QueueId: 3}
	want := "[Message=[topic=t, body=b, Flag=0, properties=map[], TransactionId=], MsgId=ID, OffsetMsgId=,QueueId=3, StoreSize=0, QueueOffset=0, SysFlag=0, BornTimestamp=0, BornHost=, StoreTimestamp=0, StoreHost=, CommitLogOffset=0, BodyCRC=0, ReconsumeTimes=0, PreparedTransactionOffset=0]"
	if got := m.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := fmt.Sprintf("%v", []*MessageExt{m}); got != "["+want+"]" {
		t.Fatalf("%%v of a slice: %s", got)
	}
	m.Queue = nil
	_ = m.String() // no panic without a queue
}

func TestSendResultString(t *testing.T) {
	r := &SendResult{Status: SendOK, MsgID: "A", OffsetMsgID: "B", QueueOffset: 5,
		MessageQueue: &MessageQueue{Topic: "t", BrokerName: "b", QueueId: 1}}
	want := "SendResult [sendStatus=0, msgIds=A, offsetMsgId=B, queueOffset=5, messageQueue=MessageQueue [topic=t, brokerName=b, queueId=1]]"
	if r.String() != want {
		t.Fatalf("got %s", r.String())
	}
	tr := &TransactionSendResult{SendResult: r, State: CommitMessageState}
	if tr.String() != want {
		t.Fatal(tr.String())
	}
	if NewSendResult().String() != "SendResult [sendStatus=4, msgIds=, offsetMsgId=, queueOffset=0, messageQueue=nil]" {
		t.Fatal(NewSendResult().String())
	}
}

func TestTransactionStates(t *testing.T) {
	if CommitMessageState != 1 || RollbackMessageState != 2 || UnknowState != 3 || UnknownState != 3 || UnkonwnState != 3 {
		t.Fatal("state values")
	}
	if LocalTransactionState(2+1) != UnknowState {
		t.Fatal("the guide's status+1 conversion")
	}
}

func TestOrderlyContextPrint(t *testing.T) {
	c := NewConsumeOrderlyContext()
	c.MQ = MessageQueue{Topic: "test", BrokerName: "broker-a", QueueId: 0}
	if got := fmt.Sprintf("%v", c); got != "&{{test broker-a 0} true -1}" {
		t.Fatal(got)
	}
}

func TestResolversAndAddresses(t *testing.T) {
	r := NewPassthroughResolver([]string{"127.0.0.1:9876"})
	if r.Description() != "passthrough resolver of [127.0.0.1:9876]" {
		t.Fatal(r.Description())
	}
	if _, err := CheckAddresses(NewPassthroughResolver([]string{"localhost:9876"})); err == nil || err.Error() != "new Namesrv failed.: IP addr error" {
		t.Fatal(err)
	}
	if _, err := CheckAddresses(NewPassthroughResolver([]string{})); err == nil || err.Error() != "new Namesrv failed.: no name server addr found with resolver: passthrough resolver of []" {
		t.Fatal(err)
	}
	t.Setenv("NAMESRV_ADDR", "127.0.0.1:1;127.0.0.2:2")
	if got := NewPassthroughResolver(nil).Resolve(); len(got) != 2 {
		t.Fatal(got)
	}
	if _, err := NewNamesrvAddr("127.0.0.1:9876;127.0.0.2:9876"); err != nil {
		t.Fatal(err)
	}
	if !(Credentials{AccessKey: "a"}).IsEmpty() || (Credentials{AccessKey: "a", SecretKey: "b"}).IsEmpty() {
		t.Fatal("IsEmpty")
	}
}

func TestMessageQueueHashCode(t *testing.T) {
	mq := &MessageQueue{Topic: "t", BrokerName: "b", QueueId: 1}
	// Java: 31*(31*(31*1+"b".hashCode())+1)+"t".hashCode()
	want := 31*(31*(31+98)+1) + 116
	if mq.HashCode() != want {
		t.Fatal(mq.HashCode(), want)
	}
}
