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

/* What rmqgo_send_sync hands back (Go memory, no Go pointers in it). */
typedef struct {
  CSendResultEx result;
  char uniqKey[128];  /* the message's UNIQ_KEY after the send (set even when it failed) */
  char* uniqKeyLong;  /* instead, a malloc'd copy when it does not fit (freed by Go) */
  char* error;        /* on failure: malloc'd copy of GetLatestErrorMessage() (freed by Go) */
} rmqgo_sync_out;

int rmqgo_send_sync(CProducer* p, const char* text, int nprops, const char* body, int bodyLen,
                    const CMessageQueue* q, int timeoutMs, rmqgo_sync_out* out);

#endif
