/* C side of the cgo glue: wrappers that pass a cgo.Handle (an integer) as the library's
 * userData and name the Go functions exported in callbacks.go. */
#ifndef ROCKETMQ_GO_BRIDGE_H
#define ROCKETMQ_GO_BRIDGE_H

#include <stdint.h>
#include <stdlib.h>
#include <rocketmq/CCommon.h>
#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CMessageQueue.h>
#include <rocketmq/CBatchMessage.h>
#include <rocketmq/CSendResult.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPushConsumer.h>

CProducer* rmqgo_create_transaction_producer(const char* group, uintptr_t handle);
int rmqgo_send_async(CProducer* p, CMessage* m, const CMessageQueue* q, uintptr_t handle);
int rmqgo_send_transaction(CProducer* p, CMessage* m, uintptr_t handle, CSendResultEx* r);
int rmqgo_send_oneway_to(CProducer* p, CMessage* m, int index);
int rmqgo_register_batch(CPushConsumer* c, uintptr_t handle, int orderly);

#endif
