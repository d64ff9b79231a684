// Command txproducer sends transactional messages with the TransactionProducer of the unchanged cgo
// client github.com/apache/rocketmq-client-go v1.2.4 (core.NewTransactionProducer with a
// core.TransactionLocalListener) on top of librocketmq, lets the broker check back the unknown ones,
// and writes one JSON line per transaction (txrecord.Tx) to -out. txcheck then compares that with
// what the reader pulls from the topic.
//
//	txproducer -n 127.0.0.1:9876 -t TOPIC -out tx.jsonl [-c 3] [-runid ID] [-timeout 30s]
//
// Cases (-c transactions each): commit (Execute commits), rollback (Execute rolls back), unknown
// (Execute answers unknown; the application decides commit later, and Check, asked by the broker,
// answers commit). Check answers from the application's record of each transaction, never a
// constant: a 5.x broker may also ask about transactions already committed or rolled back (it
// writes its op records in batches every 3 s, the test brokers' transactionTimeOut is 2 s).
//
// The program waits until every unknown transaction was resolved by a check-back, then until no
// check-back has resolved anything for -quiet (default 6 s, beyond the broker's 1 s check interval
// + 2 s timeout), so that rollbacks and re-commits are final when the topic is read.
//
// Prints one line per problem found inside the listener or the sends, and "N passed, M failed"
// last. Exit status 1 on any failure.
//
// The listener never touches its `arg` parameter: v1.2.4 exports the callbacks with an
// `arg interface{}` parameter that C calls with a single void*, so `arg` is not a valid value.
// For the same reason nil is passed as arg everywhere (a non-nil arg would also trip cgocheck:
// v1.2.4 passes &arg to C).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/core"

	"rocketmq-tests-go/internal/txrecord"
)

const nonASCII = "ünïcødé – 中文 – 🚀"

type tx struct {
	rec        txrecord.Tx
	execResult rocketmq.TransactionStatus
	final      rocketmq.TransactionStatus
	recorded   bool // the executor ran: the application knows the outcome
	sentAt     time.Time
	firstCheck time.Time
}

// app is the application: its record of every transaction, and the listener.
type app struct {
	mu          sync.Mutex
	group, tags string
	topic       string
	tx          map[string]*tx
	problems    []string
	checks      int // all checker calls
	foreign     int
	lastResolve time.Time
	inExecute   bool
}

func (a *app) problem(format string, args ...interface{}) {
	a.mu.Lock()
	a.problems = append(a.problems, fmt.Sprintf(format, args...))
	a.mu.Unlock()
}

// Execute runs on the goroutine that called SendMessageTransaction.
func (a *app) Execute(m *rocketmq.Message, _ interface{}) rocketmq.TransactionStatus {
	a.mu.Lock()
	t := a.tx[m.Keys]
	inSend := a.inExecute
	a.mu.Unlock()
	if t == nil {
		a.problem("Execute: a message with keys %q that this program did not send", m.Keys)
		return rocketmq.UnknownTransaction
	}
	if !inSend {
		a.problem("Execute %s: called outside SendMessageTransaction", t.rec.Key)
	}
	if m.Topic != t.rec.Topic || m.Tags != t.rec.Tags || m.Body != t.rec.Body {
		a.problem("Execute %s: message topic %q tags %q body %q, want %q %q %q", t.rec.Key, m.Topic, m.Tags, m.Body,
			t.rec.Topic, t.rec.Tags, t.rec.Body)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t.rec.ExecCalls++
	t.recorded = true // the local transaction ran: its outcome is t.final
	if t.execResult == rocketmq.CommitTransaction {
		t.rec.CommitAnswers++
	}
	return t.execResult
}

// Check runs on a library thread, when the broker asks.
func (a *app) Check(m *rocketmq.MessageExt, _ interface{}) rocketmq.TransactionStatus {
	now := time.Now()
	a.mu.Lock()
	a.checks++
	t := a.tx[m.Keys]
	if t == nil {
		a.foreign++
		a.mu.Unlock()
		a.problem("Check: a message with keys %q (id %s) that this program did not send", m.Keys, m.MessageID)
		return rocketmq.UnknownTransaction
	}
	t.rec.Checks++
	if t.firstCheck.IsZero() {
		t.firstCheck = now
	}
	answer := rocketmq.UnknownTransaction
	if t.recorded {
		answer = t.final
	}
	if answer != rocketmq.UnknownTransaction {
		a.lastResolve = now
	}
	if answer == rocketmq.CommitTransaction {
		t.rec.CommitAnswers++
	}
	want := t.rec
	a.mu.Unlock()

	got := map[string]string{
		"topic": m.Topic, "tags": m.Tags, "body": m.Body, "MessageID": m.MessageID,
		"TRAN_MSG": m.GetProperty("TRAN_MSG"), "PGROUP": m.GetProperty("PGROUP"),
		"UNIQ_KEY": m.GetProperty("UNIQ_KEY"), "p_case": m.GetProperty("p_case"), "p_text": m.GetProperty("p_text"),
	}
	exp := map[string]string{
		"topic": want.Topic, "tags": want.Tags, "body": want.Body, "MessageID": want.MsgID,
		"TRAN_MSG": "true", "PGROUP": a.group, "UNIQ_KEY": want.MsgID, "p_case": want.Case, "p_text": nonASCII,
	}
	names := make([]string, 0, len(exp))
	for k := range exp {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if got[k] != exp[k] {
			a.problem("Check %s: %s %q, want %q", want.Key, k, got[k], exp[k])
		}
	}
	return answer
}

func statusName(s rocketmq.TransactionStatus) string {
	switch s {
	case rocketmq.CommitTransaction:
		return "commit"
	case rocketmq.RollbackTransaction:
		return "rollback"
	}
	return "unknown"
}

func main() {
	namesrv := flag.String("n", "", "name server address host:port (required)")
	topic := flag.String("t", "", "topic (required; fresh: run.sh creates one)")
	outPath := flag.String("out", "", "where to write the JSON lines (required)")
	count := flag.Int("c", 3, "transactions per case")
	runID := flag.String("runid", fmt.Sprintf("%d-%d", time.Now().UnixNano(), os.Getpid()), "unique id of this run")
	timeout := flag.Duration("timeout", 30*time.Second, "deadline for the check-backs of the unknown transactions")
	quiet := flag.Duration("quiet", 6*time.Second, "wait this long after the last resolving check-back")
	flag.Parse()
	if *namesrv == "" || *topic == "" || *outPath == "" {
		fmt.Fprintln(os.Stderr, "usage: txproducer -n host:port -t topic -out tx.jsonl [-c 3] [-runid id]")
		os.Exit(2)
	}
	t0 := time.Now()
	passed, failed := 0, 0
	check := func(ok bool, format string, args ...interface{}) {
		if ok {
			passed++
		} else {
			failed++
			fmt.Printf("FAIL "+format+"\n", args...)
		}
	}
	finish := func() {
		fmt.Printf("%d passed, %d failed\n", passed, failed)
		if failed > 0 {
			os.Exit(1)
		}
		os.Exit(0)
	}

	a := &app{group: "go_txp_" + *runID, tags: "gotx_" + *runID, topic: *topic, tx: map[string]*tx{}}
	var order []*tx
	cases := []struct {
		name        string
		exec, final rocketmq.TransactionStatus
	}{
		{"commit", rocketmq.CommitTransaction, rocketmq.CommitTransaction},
		{"rollback", rocketmq.RollbackTransaction, rocketmq.RollbackTransaction},
		{"unknown", rocketmq.UnknownTransaction, rocketmq.CommitTransaction},
	}
	for i := 0; i < *count; i++ {
		for _, c := range cases {
			key := fmt.Sprintf("gotx-%s-%s-%d", *runID, c.name, i)
			t := &tx{execResult: c.exec, final: c.final, rec: txrecord.Tx{
				Case: c.name, Key: key, Topic: *topic, Tags: a.tags,
				Body:       fmt.Sprintf("go tx body %s #%d %s", c.name, i, nonASCII),
				Properties: map[string]string{"p_case": c.name, "p_text": nonASCII},
				Executed:   statusName(c.exec), Final: statusName(c.final),
			}}
			a.tx[key] = t
			order = append(order, t)
		}
	}

	p, err := rocketmq.NewTransactionProducer(&rocketmq.ProducerConfig{
		ClientConfig:   rocketmq.ClientConfig{GroupID: a.group, NameServer: *namesrv},
		SendMsgTimeout: 10000,
	}, a, nil)
	check(err == nil, "NewTransactionProducer: %v", err)
	if err != nil {
		finish()
	}
	err = p.Start()
	check(err == nil, "Start: %v", err)
	if err != nil {
		finish()
	}
	fmt.Printf("transaction producer %s started (%.1f s)\n", a.group, time.Since(t0).Seconds())

	sendStart := time.Now()
	for _, t := range order {
		msg := &rocketmq.Message{Topic: t.rec.Topic, Tags: t.rec.Tags, Keys: t.rec.Key, Body: t.rec.Body,
			Property: t.rec.Properties}
		a.mu.Lock()
		a.inExecute = true
		a.mu.Unlock()
		res, err := p.SendMessageTransaction(msg, nil)
		a.mu.Lock()
		a.inExecute = false
		t.sentAt = time.Now()
		if err != nil {
			t.rec.Error = err.Error()
		} else {
			t.rec.MsgID, t.rec.Status = res.MsgId, res.Status.String()
		}
		execCalls := t.rec.ExecCalls
		a.mu.Unlock()
		check(err == nil && res.Status == rocketmq.SendOK && res.MsgId != "", "SendMessageTransaction %s: %v %v", t.rec.Key, res, err)
		check(execCalls == 1, "%s: Execute ran %d times during SendMessageTransaction", t.rec.Key, execCalls)
	}
	sent := time.Now()
	fmt.Printf("sent %d transactions in %.2f s\n", len(order), sent.Sub(sendStart).Seconds())

	// Every unknown transaction resolved by a check-back.
	resolved := func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, t := range order {
			if t.execResult == rocketmq.UnknownTransaction && t.firstCheck.IsZero() {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(*timeout)
	for !resolved() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	check(resolved(), "not every unknown transaction was checked back within %v", *timeout)
	fmt.Printf("unknown transactions checked back %.1f s after the last send\n", time.Since(sent).Seconds())
	// Quiet: no resolving check-back for -quiet.
	for {
		a.mu.Lock()
		last := a.lastResolve
		a.mu.Unlock()
		if last.Before(sent) {
			last = sent
		}
		if time.Since(last) >= *quiet {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("quiet window over %.1f s after the last send\n", time.Since(sent).Seconds())
	ts := time.Now()
	err = p.Shutdown()
	check(err == nil || err == rocketmq.NIL, "Shutdown: %v", err)
	fmt.Printf("shutdown %.2f s\n", time.Since(ts).Seconds())

	f, err := os.Create(*outPath)
	check(err == nil, "create %s: %v", *outPath, err)
	if err != nil {
		finish()
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	a.mu.Lock()
	for _, t := range order {
		if !t.firstCheck.IsZero() {
			t.rec.FirstCheckMs = t.firstCheck.Sub(t.sentAt).Milliseconds()
		}
		_ = enc.Encode(t.rec)
		fmt.Printf("%-44s executed %-8s final %-8s checks %d (first after %d ms) commit answers %d\n", t.rec.Key,
			t.rec.Executed, t.rec.Final, t.rec.Checks, t.rec.FirstCheckMs, t.rec.CommitAnswers)
		if t.execResult == rocketmq.UnknownTransaction {
			check(t.rec.Checks > 0, "%s: unknown, never checked back", t.rec.Key)
		}
		if t.rec.CommitAnswers > 1 {
			fmt.Printf("  %s: asked again after the commit, answered commit again (5.x op batching): the broker stores %d copies\n",
				t.rec.Key, t.rec.CommitAnswers)
		}
	}
	problems := a.problems
	foreign := a.foreign
	a.mu.Unlock()
	_ = f.Close()
	// One check for "every Execute / Check call saw the message as sent", or one failure per problem.
	if len(problems) == 0 {
		check(true, "")
	}
	for _, s := range problems {
		check(false, "%s", s)
	}
	check(foreign == 0, "%d check-backs for messages this program did not send", foreign)
	finish()
}
