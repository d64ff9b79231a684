// Package rlog is the logging facade of rocketmq-client-go/v2: the binding's own messages go
// through the Logger set here (default: text lines on stderr); SetLogLevel and SetOutputPath
// also set the library's (process-wide) log level and log directory.
package rlog

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/internal/capi"
)

const (
	LogKeyProducerGroup    = "producerGroup"
	LogKeyConsumerGroup    = "consumerGroup"
	LogKeyTopic            = "topic"
	LogKeyMessageQueue     = "MessageQueue"
	LogKeyUnderlayError    = "underlayError"
	LogKeyBroker           = "broker"
	LogKeyValueChangedFrom = "changedFrom"
	LogKeyValueChangedTo   = "changeTo"
	LogKeyPullRequest      = "PullRequest"
	LogKeyTimeStamp        = "timestamp"
)

// Logger is v2's logger interface.
type Logger interface {
	Debug(msg string, fields map[string]interface{})
	Info(msg string, fields map[string]interface{})
	Warning(msg string, fields map[string]interface{})
	Error(msg string, fields map[string]interface{})
	Fatal(msg string, fields map[string]interface{})
	Level(level string)
	OutputPath(path string) (err error)
}

const (
	levelDebug = iota
	levelInfo
	levelWarn
	levelError
	levelFatal
)

type defaultLogger struct {
	mu    sync.Mutex
	out   io.Writer
	level int
}

func parseLevel(level string) int {
	switch strings.ToLower(level) {
	case "debug":
		return levelDebug
	case "warn":
		return levelWarn
	case "error":
		return levelError
	case "fatal":
		return levelFatal
	default:
		return levelInfo
	}
}

var levelNames = []string{"debug", "info", "warning", "error", "fatal"}

func (l *defaultLogger) log(level int, msg string, fields map[string]interface{}) {
	if msg == "" && len(fields) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if level < l.level {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "time=%q level=%s msg=%q", time.Now().Format(time.RFC3339), levelNames[level], msg)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, fields[k])
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(l.out, b.String())
}

func (l *defaultLogger) Debug(msg string, fields map[string]interface{}) {
	l.log(levelDebug, msg, fields)
}
func (l *defaultLogger) Info(msg string, fields map[string]interface{}) {
	l.log(levelInfo, msg, fields)
}
func (l *defaultLogger) Warning(msg string, fields map[string]interface{}) {
	l.log(levelWarn, msg, fields)
}
func (l *defaultLogger) Error(msg string, fields map[string]interface{}) {
	l.log(levelError, msg, fields)
}
func (l *defaultLogger) Fatal(msg string, fields map[string]interface{}) {
	l.log(levelFatal, msg, fields)
	os.Exit(1)
}
func (l *defaultLogger) Level(level string) {
	l.mu.Lock()
	l.level = parseLevel(level)
	l.mu.Unlock()
}
func (l *defaultLogger) OutputPath(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.out = f
	l.mu.Unlock()
	return nil
}

var (
	mu     sync.RWMutex
	logger Logger = &defaultLogger{out: os.Stderr, level: parseLevel(os.Getenv("ROCKETMQ_GO_LOG_LEVEL"))}
)

func current() Logger {
	mu.RLock()
	defer mu.RUnlock()
	return logger
}

// SetLogger replaces the logger.
func SetLogger(l Logger) {
	mu.Lock()
	logger = l
	mu.Unlock()
}

// SetLogLevel sets the level of the logger and of the library ("" is ignored).
func SetLogLevel(level string) {
	if level == "" {
		return
	}
	current().Level(level)
	capi.SetLogLevel([]int{capi.LogDebug, capi.LogInfo, capi.LogWarn, capi.LogError, capi.LogFatal}[parseLevel(level)])
}

// SetOutputPath sends the logger's lines to the file path and the library's log file to the
// same directory ("" is ignored).
func SetOutputPath(path string) error {
	if path == "" {
		return nil
	}
	if err := current().OutputPath(path); err != nil {
		return err
	}
	capi.SetLogPath(path)
	return nil
}

func Debug(msg string, fields map[string]interface{})   { current().Debug(msg, fields) }
func Info(msg string, fields map[string]interface{})    { current().Info(msg, fields) }
func Warning(msg string, fields map[string]interface{}) { current().Warning(msg, fields) }
func Error(msg string, fields map[string]interface{})   { current().Error(msg, fields) }
func Fatal(msg string, fields map[string]interface{})   { current().Fatal(msg, fields) }
