#include <string.h>
#include "bridge.h"
#include "_cgo_export.h"

/* The Go side's functions (callbacks.go) have cgo's parameter types; these adapters have the
 * library's callback types. */

static CTransactionStatus check_adapter(CProducer* producer, CMessageExt* msg, void* data) {
  return (CTransactionStatus)rmqgoCheckTransaction(msg, (uintptr_t)data);
}

static CTransactionStatus execute_adapter(CProducer* producer, CMessage* msg, void* data) {
  return (CTransactionStatus)rmqgoExecuteTransaction(msg, (uintptr_t)data);
}

static void send_adapter(int status, const CSendResultEx* result, const char* errorText, void* userData) {
  rmqgoSendDone(status, (CSendResultEx*)result, (char*)errorText, (uintptr_t)userData);
}

static int consume_adapter(CPushConsumer* consumer, const CMessageQueue* mq, CMessageExt** msgs, int count, void* userData) {
  return rmqgoConsume((CMessageQueue*)mq, msgs, count, (uintptr_t)userData);
}

/* Selector of SendMessageOnewayOrderly: the queue index chosen on the Go side. */
static int index_selector(int size, CMessage* msg, void* arg) {
  int index = *(int*)arg;
  return index < size ? index : index % size;
}

CProducer* rmqgo_create_transaction_producer(const char* group, uintptr_t handle) {
  return CreateTransactionProducer(group, check_adapter, (void*)handle);
}

int rmqgo_send_async(CProducer* p, CMessage* m, const CMessageQueue* q, uintptr_t handle) {
  return SendMessageAsyncEx(p, m, q, send_adapter, (void*)handle);
}

int rmqgo_send_transaction(CProducer* p, CMessage* m, uintptr_t handle, CSendResultEx* r) {
  return SendMessageTransactionEx(p, m, execute_adapter, (void*)handle, r);
}

int rmqgo_send_oneway_to(CProducer* p, CMessage* m, int index) {
  return SendMessageOnewayOrderly(p, m, index_selector, &index);
}

int rmqgo_register_batch(CPushConsumer* c, uintptr_t handle, int orderly) {
  return RegisterMessageBatchCallback(c, consume_adapter, (void*)handle, orderly);
}

/* A whole synchronous send in one cgo crossing: make the message, send it, read back its
 * UNIQ_KEY (and the error text, on this thread), destroy it. `text` holds the topic, then
 * `nprops` pairs of property key and value, each NUL-terminated; it and `body` are the caller's
 * (Go) memory, only read during the call (the library copies them). Returns the library's
 * status, or -1 when the message could not be made. */
int rmqgo_send_sync(CProducer* p, const char* text, int nprops, const char* body, int bodyLen,
                    const CMessageQueue* q, int timeoutMs, rmqgo_sync_out* out) {
  out->uniqKey[0] = 0;
  out->uniqKeyLong = NULL;
  out->error = NULL;
  CMessage* m = CreateMessage(text);
  if (m == NULL) {
    out->error = strdup(GetLatestErrorMessage());
    return -1;
  }
  if (bodyLen > 0) {
    SetByteMessageBody(m, body, bodyLen);
  }
  const char* s = text + strlen(text) + 1;
  for (int i = 0; i < nprops; i++) {
    const char* k = s;
    s += strlen(s) + 1;
    SetMessageProperty(m, k, s);
    s += strlen(s) + 1;
  }
  int rc = SendMessageSyncEx(p, m, q, timeoutMs, &out->result);
  if (rc != 0) {
    out->error = strdup(GetLatestErrorMessage());
  }
  const char* u = GetOriginMessageProperty(m, "UNIQ_KEY");
  if (u != NULL) {
    size_t n = strlen(u);
    if (n < sizeof out->uniqKey) {
      memcpy(out->uniqKey, u, n + 1);
    } else {
      out->uniqKeyLong = strdup(u);
    }
  }
  DestroyMessage(m);
  return rc;
}
