package examples

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/primitive"
)

var versions = []struct{ name, plain, acl string }{
	{"4.x", "NAMESRV_4", "RMQ_ACL_NAMESRV_4"},
	{"5.x", "NAMESRV_5", "RMQ_ACL_NAMESRV_5"},
}

// Chapter 4.1: the subscribe example receives what the sync and async examples sent.
func TestNormalMessages(t *testing.T) {
	for _, v := range versions {
		v := v
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			addr := namesrv(t, v.plain)
			tp := topic(t, "", "normal", addr)
			env := []string{"ROCKETMQ_NAMESRV=" + addr, "ROCKETMQ_TOPIC=" + tp, "ROCKETMQ_GROUP=go_sub_" + tp, "ROCKETMQ_SLEEP=25s"}
			var consumerOut string
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				consumerOut = run(t, "subscribe", 120*time.Second, env...)
			}()
			online(t, "", addr, "go_sub_"+tp, tp, 60*time.Second)
			syncIDs, _ := sent(t, run(t, "sync", 60*time.Second, env...), 1)
			asyncIDs, _ := sent(t, run(t, "async", 60*time.Second, env...), 1)
			wg.Wait()
			for _, id := range append(syncIDs, asyncIDs...) {
				got := lines(consumerOut, "MsgId="+id+",")
				if len(got) == 0 {
					t.Errorf("the subscribe example did not receive %s; its output:\n%s", id, consumerOut)
					continue
				}
				if !strings.HasPrefix(got[0], "subscribe callback: [Message=[topic="+tp+", body=Hello RocketMQ Go Client!, Flag=0, properties=map[") {
					t.Errorf("unexpected line: %s", got[0])
				}
			}
			// The sync example's tag and key come back as sent (v2.1.1 added a space after the key).
			if got := lines(consumerOut, "MsgId="+syncIDs[0]+","); len(got) > 0 &&
				(!strings.Contains(got[0], "KEYS:KeyA ") || strings.Contains(got[0], "KEYS:KeyA  ") || !strings.Contains(got[0], "TAGS:TagA")) {
				t.Errorf("keys/tags not as sent: %s", got[0])
			}
		})
	}
}

var orderedBody = regexp.MustCompile(`body=Hello RocketMQ Go Client! (\d+),`)

// Chapter 4.2: messages of one sharding key go to one queue, and the orderly consumer gets each
// key's messages in the order sent.
func TestOrderedMessages(t *testing.T) {
	for _, v := range versions {
		v := v
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			addr := namesrv(t, v.plain)
			tp := topic(t, "", "ordered", addr)
			env := []string{"ROCKETMQ_NAMESRV=" + addr, "ROCKETMQ_TOPIC=" + tp, "ROCKETMQ_GROUP=go_ord_" + tp, "ROCKETMQ_SLEEP=30s"}
			_, queues := sent(t, run(t, "ordered-send", 120*time.Second, env...), 100)
			keyQueue := map[int]string{}
			used := map[string]bool{}
			for i, q := range queues {
				key := i % 10
				if prev, ok := keyQueue[key]; ok && prev != q {
					t.Fatalf("order id %d went to queues %s and %s", key, prev, q)
				}
				keyQueue[key] = q
				used[q] = true
			}
			if len(used) < 2 {
				t.Errorf("all 10 order ids on %d queue(s): expected them spread", len(used))
			}
			out := run(t, "ordered-subscribe", 120*time.Second, env...)
			last := map[int]int{}
			seen := map[int]bool{}
			for _, m := range orderedBody.FindAllStringSubmatch(out, -1) {
				i, _ := strconv.Atoi(m[1])
				if seen[i] {
					continue
				}
				seen[i] = true
				key := i % 10
				if prev, ok := last[key]; ok && prev > i {
					t.Errorf("order id %d: message %d after %d", key, i, prev)
				}
				last[key] = i
			}
			if len(seen) != 100 {
				t.Errorf("the orderly consumer got %d of 100 messages; output:\n%.3000s", len(seen), out)
			}
			if !regexp.MustCompile(`orderly context: &\{\{` + tp + ` broker-a \d\} true -1\}`).MatchString(out) {
				t.Errorf("no orderly context line like v2's: %.500s", out)
			}
		})
	}
}

// Chapter 4.3: DemoListener answers unknown at first; the broker's checks reach
// CheckLocalTransaction, which commits messages 2, 5, 8 and rolls back 0, 3, 6, 9; 1, 4, 7 stay
// unknown. Exactly the committed ones are delivered.
func TestTransactionalMessages(t *testing.T) {
	for _, v := range versions {
		v := v
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			addr := namesrv(t, v.plain)
			tp := topic(t, "", "tx", addr)
			checkTransactions(t, "transaction", tp, addr, primitive.Credentials{},
				"ROCKETMQ_NAMESRV="+addr, "ROCKETMQ_TOPIC="+tp, "ROCKETMQ_SLEEP=20s")
		})
	}
}

func checkTransactions(t *testing.T, example, tp, addr string, creds primitive.Credentials, env ...string) {
	out := run(t, example, 120*time.Second, env...)
	ids, _ := sent(t, out, 10)
	if n := len(lines(out, "checkLocalTransaction COMMIT_MESSAGE")); n == 0 {
		t.Errorf("the broker's check never reached CheckLocalTransaction; output:\n%.3000s", out)
	}
	r, stop := reader(t, addr, tp, creds)
	defer stop()
	committed := map[int]bool{2: true, 5: true, 8: true}
	waitFor(60*time.Second, func() bool { return r.count() >= 3 })
	time.Sleep(3 * time.Second) // deliberate: a rolled-back message that did arrive would do so by now
	for i, id := range ids {
		if committed[i] != r.has(id) {
			t.Errorf("message %d (%s): delivered=%v, want %v", i, id, r.has(id), committed[i])
		}
	}
	if r.count() != 3 {
		t.Errorf("%d messages delivered, want 3", r.count())
	}
}

// Chapter 4.4: __STARTDELIVERTIME 3 s ahead: on 5.x the message is delivered no earlier.
func TestScheduledMessage(t *testing.T) {
	for _, v := range versions {
		v := v
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			addr := namesrv(t, v.plain)
			tp := topic(t, "", "sched", addr)
			r, stop := reader(t, addr, tp, primitive.Credentials{})
			defer stop()
			ids, _ := sent(t, run(t, "scheduled", 60*time.Second, "ROCKETMQ_NAMESRV="+addr, "ROCKETMQ_TOPIC="+tp), 1)
			if !waitFor(60*time.Second, func() bool { return r.has(ids[0]) }) {
				t.Fatalf("scheduled message %s not delivered within 60 s", ids[0])
			}
			r.mu.Lock()
			m, at := r.msgs[ids[0]], r.at[ids[0]]
			r.mu.Unlock()
			due, _ := strconv.ParseInt(m.GetProperty("__STARTDELIVERTIME"), 10, 64)
			if v.name == "5.x" {
				if at.UnixMilli() < due-200 {
					t.Errorf("delivered at %d, %d ms before its delivery time %d", at.UnixMilli(), due-at.UnixMilli(), due)
				}
				if m.StoreTimestamp < due-200 {
					t.Errorf("stored at %d for consumers, before its delivery time %d", m.StoreTimestamp, due)
				}
			}
		})
	}
}

// Chapter 4.5: producer, transaction producer and consumer with credentials, against the ACL
// brokers.
func TestACL(t *testing.T) {
	for _, v := range versions {
		v := v
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			addr := namesrv(t, v.acl)
			creds := primitive.Credentials{AccessKey: os.Getenv("RMQ_ACL_ACCESS_KEY"), SecretKey: os.Getenv("RMQ_ACL_SECRET_KEY")}
			if creds.IsEmpty() {
				t.Fatal("RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY are not set")
			}
			tp := topic(t, "acl", "acl", addr)
			env := []string{"ROCKETMQ_NAMESRV=" + addr, "ROCKETMQ_TOPIC=" + tp, "ROCKETMQ_GROUP=go_acl_" + tp,
				"ROCKETMQ_AK=" + creds.AccessKey, "ROCKETMQ_SK=" + creds.SecretKey, "ROCKETMQ_SLEEP=25s"}
			var consumerOut string
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				consumerOut = run(t, "acl-consumer", 120*time.Second, env...)
			}()
			online(t, "acl", addr, "go_acl_"+tp, tp, 60*time.Second)
			ids, _ := sent(t, run(t, "acl-producer", 60*time.Second, env...), 1)
			wg.Wait()
			if len(lines(consumerOut, "MsgId="+ids[0]+",")) == 0 {
				t.Errorf("the ACL consumer did not receive %s; output:\n%s", ids[0], consumerOut)
			}
			// Without credentials the producer is refused.
			out := run(t, "acl-producer", 60*time.Second, "ROCKETMQ_NAMESRV="+addr, "ROCKETMQ_TOPIC="+tp, "ROCKETMQ_AK=", "ROCKETMQ_SK=")
			if !strings.Contains(out, "send message error") && !strings.Contains(out, "start producer error") {
				t.Errorf("a producer without credentials was not refused: %s", out)
			}
			txTopic := topic(t, "acl", "acltx", addr)
			checkTransactions(t, "acl-transaction", txTopic, addr, creds, "ROCKETMQ_NAMESRV="+addr, "ROCKETMQ_TOPIC="+txTopic,
				"ROCKETMQ_AK="+creds.AccessKey, "ROCKETMQ_SK="+creds.SecretKey, "ROCKETMQ_SLEEP=20s")
		})
	}
}
