module rocketmq-tests-go

go 1.23

require github.com/apache/rocketmq-client-go v1.2.4

require (
	github.com/sirupsen/logrus v1.10.2 // indirect
	golang.org/x/sys v0.13.0 // indirect
)
