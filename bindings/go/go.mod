module github.com/librocketmq-rust/librocketmq-rust/bindings/go

go 1.21
