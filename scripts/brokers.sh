#!/usr/bin/env bash
# Real Apache RocketMQ name servers + brokers for tests and CI.
#
# Collects the official jars from Maven Central (ci/rocketmq/pom.xml +
# `mvn dependency:copy-dependencies`) and runs two independent single-broker
# clusters (DefaultCluster / broker-a) on 127.0.0.1, each with a fresh store per `up`:
#
#   RMQ_VERSION_4 = 4.9.7  name server 9876   broker 10911 (+10909 fast, 10912 HA)
#   RMQ_VERSION_5 = 5.5.0  name server 19876  broker 20911 (+20909 fast, 20912 HA)
#
# 4.x has no bindAddress setting: its four ports listen on 0.0.0.0; 5.x listens on
# 127.0.0.1 (HA port: 0.0.0.0). Topics (8 read / 8 write queues) are created explicitly,
# autoCreateTopicEnable=false. Every listener also accepts TLS (permissive mode), with
# the certificate exported as RMQ_TLS_CERT by `env` (SAN IP:127.0.0.1).
#
# Secured profiles: RMQ_PROFILE=acl or RMQ_PROFILE=tls in front of any command below works on
# a SEPARATE pair (name server + broker per version) with its own ports, state dir
# (<state>-acl, <state>-tls) and lock, so it runs next to the plain pair:
#
#   acl  name servers 10876 / 20876, brokers 11911 / 21911 (+11909/11912, 21909/21912)
#        4.x: ACL 1.0 (aclEnable, plain_acl.yml); 5.x: ACL 2.0 authentication. Accounts: an
#        admin (topic creation by the admin tool, via conf/tools.yml) and a client with PUB|SUB
#        on every topic and group but rmq_acl_denied (4.x). No address is whitelisted.
#        `env` prints RMQ_ACL_NAMESRV_4/5, RMQ_ACL_ACCESS_KEY/SECRET_KEY (client),
#        RMQ_ACL_ADMIN_ACCESS_KEY/SECRET_KEY, RMQ_ACL_DENIED_TOPIC_4.
#   tls  name servers 11876 / 21876, brokers 12911 / 22911 (+12909/12912, 22909/22912)
#        TLS only (tls.server.mode=enforcing), server certificate (SAN IP:127.0.0.1,
#        DNS:localhost) signed by a CA made at `up`; the servers' own outbound connections
#        verify that CA. `env` prints RMQ_TLS_NAMESRV_4/5, RMQ_TLS_CA and RMQ_TLS_WRONG_CA (an
#        unrelated CA, for negative tests).
#
# Usage:
#   scripts/brokers.sh up [4|5|all]         download jars if missing, start, create the topics
#                                           (first stops whatever runs from this state dir, the
#                                           other version too: `up 4` leaves only 4.x running)
#   scripts/brokers.sh down                 stop what was started from the state dir (idempotent)
#   scripts/brokers.sh env                  print `export NAMESRV_4=...` lines for eval
#   scripts/brokers.sh status [4|5|all]     exit 0 if the name servers accept a TCP connection
#   scripts/brokers.sh topic NAME [QUEUES] [WHERE]
#                                           create one more topic on every running broker, or
#                                           only where WHERE says: 4, 5, or a name server address
#   scripts/brokers.sh admin 4|5|NAMESRV ARGS...
#                                           run MQAdminStartup (adds -n <name server>)
#   scripts/brokers.sh admin 4|5|NAMESRV --batch
#                                           one MQAdminStartup command per stdin line, one JVM;
#                                           each command's output follows a line "@@@ <command>"
#   scripts/brokers.sh fetch [4|5|all]      only download the jars
#
# Environment:
#   RMQ_STATE         state dir (default /dev/shm/rocketmq-rust-ci when /dev/shm is a
#                     writable tmpfs, else /tmp/rocketmq-rust-ci); wiped by up and down;
#                     a profile adds "-<profile>" to it
#   RMQ_PROFILE       empty (plain pair), acl or tls (see above)
#   RMQ_CACHE         jar cache (default .build/rocketmq-cache in the repo): lib-<version>/, tls/
#   RMQ_STRICT_VERSION=1  fail instead of falling back from 4.9.8 to 4.9.7
#   RMQ_VERSION_4/5   versions (default 4.9.7 / 5.5.0; the 4.9.8 server jars are not
#                     served by this machine's Maven Central, 5.5.1 is incomplete there)
#   RMQ_EXTRA_TOPICS  more topics to create on `up` (space separated)
#   RMQ_TIMEOUT       startup deadline in seconds (default 120)
#   RMQ_KEEP_STATE=1  `down` keeps the state dir (logs, store)
#   RMQ_STOP_TIMEOUT  seconds between SIGTERM and SIGKILL on `down` (default 15)
#   RMQ_MVN_ARGS      extra arguments for mvn (e.g. -o, -Dmaven.repo.local=...)
#   RMQ_JAVA_OPTS     extra options for every JVM
#
# Everything the JVMs write goes below the state dir (user.home, java.io.tmpdir,
# ROCKETMQ_HOME, store, logs: <state>/v4|v5/home/logs); Maven writes to ~/.m2.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# ---------------------------------------------------------------- settings
CACHE=${RMQ_CACHE:-$ROOT/.build/rocketmq-cache}
# 4.x: 4.9.8 is the reference; where the Maven mirror refuses its server jars (seen here), the
# refusal is recorded in the cache and 4.9.7 (same 4.x broker protocol) is used instead.
PREFERRED_4=4.9.8
FALLBACK_4=4.9.7
if [[ -n "${RMQ_VERSION_4:-}" && "$RMQ_VERSION_4" != "$PREFERRED_4" ]]; then
  VERSION_4=$RMQ_VERSION_4
elif [[ -f "$CACHE/refused-$PREFERRED_4" && ! -f "$CACHE/lib-$PREFERRED_4/.complete" ]]; then
  VERSION_4=$FALLBACK_4
else
  VERSION_4=$PREFERRED_4
fi
VERSION_5=${RMQ_VERSION_5:-5.5.0}
HOST=127.0.0.1
CLUSTER=DefaultCluster
BROKER_NAME=broker-a
QUEUES=8
TOPICS="test TopicTest rmq_c_test rmq_c_misc rmq_py_test rmq_go_test rmq_bench rmq_demo"
# Secured profiles (RMQ_PROFILE=acl|tls): a separate name server + broker per version, with
# their own ports and state dir, so they run next to the plain pair. Each broker also uses
# listenPort-2 (fast port) and listenPort+1 (HA port); none of the 24 ports collide.
PROFILE=${RMQ_PROFILE:-}
# ACL accounts (the same names on 4.x and 5.x; secrets longer than 6 characters, as 4.x wants).
# Admin: 4.x `admin: true` in plain_acl.yml; 5.x the SUPER user made at startup
# (initAuthenticationUser) and the broker's own inner-client credentials. Both sign the admin
# tool's requests through $ROCKETMQ_HOME/conf/tools.yml. Client: PUB|SUB on every topic and
# group but ACL_DENIED_TOPIC (4.x; 5.x runs without authorization, see write_configs).
ACL_ADMIN_AK=rmq_admin
ACL_ADMIN_SK=rmq_admin_secret_1
ACL_CLIENT_AK=rmq_client
ACL_CLIENT_SK=rmq_client_secret_1
ACL_DENIED_TOPIC=rmq_acl_denied
# read through ${!name} (see ns_port, broker_port)
# shellcheck disable=SC2034
case "$PROFILE" in
  '')
    NS_PORT_4=9876 NS_PORT_5=19876 BROKER_PORT_4=10911 BROKER_PORT_5=20911
    ;;
  acl)
    NS_PORT_4=10876 NS_PORT_5=20876 BROKER_PORT_4=11911 BROKER_PORT_5=21911
    TOPICS="rmq_acl_test rmq_acl_c rmq_acl_tx rmq_acl_py $ACL_DENIED_TOPIC"
    ;;
  tls)
    NS_PORT_4=11876 NS_PORT_5=21876 BROKER_PORT_4=12911 BROKER_PORT_5=22911
    TOPICS="rmq_tls_test rmq_tls_c rmq_tls_py rmq_tls_go"
    ;;
  *)
    printf '[brokers] ERROR: RMQ_PROFILE must be empty, acl or tls, not %s\n' "$PROFILE" >&2
    exit 2
    ;;
esac
TIMEOUT=${RMQ_TIMEOUT:-120}
MARKER=.rocketmq-rust-ci-state

default_state_dir() {
  if [[ -d /dev/shm && -w /dev/shm ]] && [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs ]]; then
    echo /dev/shm/rocketmq-rust-ci
  else
    echo /tmp/rocketmq-rust-ci
  fi
}
# a profile's state dir is the plain one plus "-<profile>" (also with RMQ_STATE set)
STATE=${RMQ_STATE:-$(default_state_dir)}${PROFILE:+-$PROFILE}

log() { printf '[brokers] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

version_of() { local v="VERSION_$1"; echo "${!v}"; }
ns_port() { local v="NS_PORT_$1"; echo "${!v}"; }
broker_port() { local v="BROKER_PORT_$1"; echo "${!v}"; }
namesrv_addr() { echo "$HOST:$(ns_port "$1")"; }
lib_dir() { echo "$CACHE/lib-$(version_of "$1")"; }

which_list() {
  case "${1:-all}" in
    4) echo 4 ;;
    5) echo 5 ;;
    all | '') echo 4 5 ;;
    *) die "expected 4, 5 or all, got '$1'" ;;
  esac
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- jars
fetch_jars() { # $1 = 4|5
  local v dir tmp mlog
  v=$(version_of "$1")
  dir=$(lib_dir "$1")
  if [[ -f "$dir/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to download RocketMQ $v)"
  mkdir -p "$CACHE"
  tmp="$dir.tmp.$$"
  mlog="$CACHE/mvn-$v.log"
  rm -rf "$tmp"
  log "downloading RocketMQ $v jars from Maven Central into $dir (log: $mlog)"
  local t0
  t0=$(now)
  # shellcheck disable=SC2086
  if ! MAVEN_OPTS="${MAVEN_OPTS:-} -XX:-UsePerfData" mvn -B -q -f "$ROOT/ci/rocketmq/pom.xml" ${RMQ_MVN_ARGS:-} -Drocketmq.version="$v" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mlog" 2>&1; then
    rm -rf "$tmp"
    if [[ "$1" == 4 && "$v" == "$PREFERRED_4" && "${RMQ_STRICT_VERSION:-0}" != 1 ]]; then
      log "RocketMQ $v is not served by this Maven repository; using $FALLBACK_4 (recorded in $CACHE/refused-$v)"
      touch "$CACHE/refused-$v"
      VERSION_4=$FALLBACK_4
      fetch_jars 4
      return
    fi
    tail -n 40 "$mlog" >&2 || true
    die "mvn could not collect RocketMQ $v"
  fi
  ls "$tmp"/rocketmq-broker-"$v".jar "$tmp"/rocketmq-namesrv-"$v".jar "$tmp"/rocketmq-tools-"$v".jar >/dev/null \
    || die "RocketMQ $v jars missing after mvn (see $mlog)"
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  log "RocketMQ $v: $(find "$dir" -name '*.jar' | wc -l) jars in $(elapsed "$t0") s"
}

# Helper that runs many MQAdminStartup commands in one JVM (compiled once, cached).
admin_batch_classes() {
  local src="$ROOT/ci/rocketmq/AdminBatch.java" sum dir
  sum=$(sha1sum "$src" | cut -c1-12)
  dir="$CACHE/adminbatch-$sum"
  if [[ ! -f "$dir/AdminBatch.class" ]]; then
    mkdir -p "$CACHE"
    rm -rf "$dir.tmp.$$"
    mkdir -p "$dir.tmp.$$"
    javac -J-XX:-UsePerfData -nowarn -d "$dir.tmp.$$" "$src" >&2
    rm -rf "$dir"
    mv "$dir.tmp.$$" "$dir"
  fi
  echo "$dir"
}

# A self-signed certificate (CN=localhost, SAN IP:127.0.0.1) for the brokers' and name
# servers' TLS-permissive listeners (plain TCP and TLS on the same port, as by default).
# Without it every server socket makes its own certificate at startup (RSA key generation,
# ~4-6 s of CPU per run on 2 cores). Made once with openssl; absent openssl the default
# in-JVM self-signed "test mode" certificate is used.
tls_dir() { echo "$CACHE/tls"; }
ensure_tls() {
  local t
  t=$(tls_dir)
  [[ -s "$t/cert.pem" && -s "$t/key.pem" ]] && return 0
  command -v openssl >/dev/null || return 0
  mkdir -p "$CACHE"
  rm -rf "$t.tmp.$$"
  mkdir -p "$t.tmp.$$"
  if openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$t.tmp.$$/key.raw.pem" -out "$t.tmp.$$/cert.pem" >/dev/null 2>&1 &&
    openssl pkcs8 -topk8 -nocrypt -in "$t.tmp.$$/key.raw.pem" -out "$t.tmp.$$/key.pem" 2>/dev/null; then
    rm -f "$t.tmp.$$/key.raw.pem"
    rm -rf "$t"
    mv "$t.tmp.$$" "$t"
  else
    rm -rf "$t.tmp.$$"
    log "openssl failed; servers will generate their own TLS test certificates"
  fi
}

# RMQ_PROFILE=tls: a test CA and a server certificate signed by it (SAN IP:127.0.0.1 and
# DNS:localhost, for clients that verify the host), made with openssl at every `up` into the
# profile's state dir, so a test can trust exactly this CA. The key is PKCS#8, as RocketMQ's
# TlsHelper (Netty) needs. A second, unrelated CA ("wrong" CA) is for negative tests: a client
# that trusts only it must refuse the servers.
profile_tls_dir() { echo "$STATE/tls"; }
make_profile_tls() {
  local t ext
  t=$(profile_tls_dir)
  command -v openssl >/dev/null || die "openssl not found (needed by RMQ_PROFILE=tls)"
  mkdir -p "$t"
  ext="$t/server.ext"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$ext"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rocketmq-rust test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$t/ca.key.pem" -out "$t/ca.pem" &&
      openssl req -new -newkey rsa:2048 -nodes -subj /CN=localhost \
        -keyout "$t/server.key.raw.pem" -out "$t/server.csr" &&
      openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key.pem" -CAcreateserial \
        -days 3650 -sha256 -extfile "$ext" -out "$t/server.pem" &&
      openssl pkcs8 -topk8 -nocrypt -in "$t/server.key.raw.pem" -out "$t/server.key.pem" &&
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rocketmq-rust wrong CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$t/wrong-ca.key.pem" -out "$t/wrong-ca.pem" &&
      openssl verify -CAfile "$t/ca.pem" "$t/server.pem"
  } >"$t/openssl.log" 2>&1 || {
    cat "$t/openssl.log" >&2
    die "openssl could not make the test certificates"
  }
  rm -f "$t/server.key.raw.pem" "$t/server.csr"
}

# ---------------------------------------------------------------- JVM options
vdir() { echo "$STATE/v$1"; }

jvm_common() { # $1 = 4|5, $2 = process name (namesrv|broker|tools)
  local d
  d=$(vdir "$1")
  printf '%s\n' \
    -server -XX:-UsePerfData -XX:-OmitStackTraceInFastThrow \
    "-XX:ErrorFile=$d/hs_err_$2_%p.log" \
    -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8 \
    "-Duser.home=$d/home" "-Djava.io.tmpdir=$d/tmp" \
    "-Drocketmq.home.dir=$d/rocketmq-home" \
    "-Drmq.logback.configurationFile=$d/rocketmq-home/conf/logback_$2.xml" \
    --add-opens java.base/java.nio=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  # never read a stray /etc/rocketmq/tls.properties
  echo "-Dtls.config.file=$d/rocketmq-home/conf/tls.properties"
  if [[ "$PROFILE" == tls ]]; then
    # TLS only (plain connections are closed), our CA's server certificate, and TLS on the
    # outbound side of every JVM (broker -> name server, admin tool -> both) verifying that CA
    # (tls.client.* in the tls.config.file, see write_configs). tls.server.mode and tls.enable
    # are read from system properties only.
    printf '%s\n' -Dtls.server.mode=enforcing -Dtls.enable=true -Dtls.test.mode.enable=false \
      "-Dtls.server.certPath=$(profile_tls_dir)/server.pem" \
      "-Dtls.server.keyPath=$(profile_tls_dir)/server.key.pem"
  elif [[ -s "$(tls_dir)/cert.pem" && -s "$(tls_dir)/key.pem" ]]; then
    printf '%s\n' -Dtls.test.mode.enable=false \
      "-Dtls.server.certPath=$(tls_dir)/cert.pem" "-Dtls.server.keyPath=$(tls_dir)/key.pem"
  fi
  # extra options for every JVM, e.g. RMQ_JAVA_OPTS="-Dtls.server.mode=disabled"
  # shellcheck disable=SC2086 # split on blanks on purpose
  [[ -z "${RMQ_JAVA_OPTS:-}" ]] || printf '%s\n' ${RMQ_JAVA_OPTS}
}

run_admin_batch() { # $1 = 4|5; stdin = mqadmin command lines; stdout = tool output
  local d classes
  d=$(vdir "$1")
  classes=$(admin_batch_classes)
  local -a opts
  mapfile -t opts < <(jvm_common "$1" tools)
  (cd "$d" && ROCKETMQ_HOME="$d/rocketmq-home" exec java "${opts[@]}" \
    -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Drocketmq.client.logUseSlf4j=true \
    -cp "$classes:$(lib_dir "$1")/*" AdminBatch)
}

# ---------------------------------------------------------------- config files
write_logback() { # $1 = file, $2 = log name
  cat >"$1" <<EOF
<configuration>
  <appender name="F" class="ch.qos.logback.core.FileAppender">
    <file>\${user.home}/logs/$2.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5p [%t] %c{0} - %m%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="F"/></root>
</configuration>
EOF
}

write_configs() { # $1 = 4|5
  local d k ns bp
  k=$1
  d=$(vdir "$k")
  ns=$(ns_port "$k")
  bp=$(broker_port "$k")
  mkdir -p "$d/rocketmq-home/conf" "$d/home/logs" "$d/tmp" "$d/store/commitlog" "$d/namesrv"
  for p in namesrv broker tools; do
    write_logback "$d/rocketmq-home/conf/logback_$p.xml" "$p"
  done
  # No inline comments and no trailing blanks: RocketMQ parses raw values.
  {
    echo "listenPort=$ns"
    echo "bindAddress=$HOST"
    echo "kvConfigPath=$d/namesrv/kvConfig.json"
    echo "configStorePath=$d/namesrv/namesrv.properties"
  } >"$d/namesrv.conf"
  {
    echo "brokerClusterName=$CLUSTER"
    echo "brokerName=$BROKER_NAME"
    echo "brokerId=0"
    echo "brokerRole=ASYNC_MASTER"
    echo "flushDiskType=ASYNC_FLUSH"
    echo "namesrvAddr=$HOST:$ns"
    echo "brokerIP1=$HOST"
    echo "listenPort=$bp"
    echo "haListenPort=$((bp + 1))"
    echo "bindAddress=$HOST"
    echo "storePathRootDir=$d/store"
    echo "storePathCommitLog=$d/store/commitlog"
    echo "mappedFileSizeCommitLog=104857600"
    echo "maxIndexNum=10000"
    echo "maxHashSlotNum=40000"
    echo "diskMaxUsedSpaceRatio=95"
    echo "diskSpaceWarningLevelRatio=90"
    echo "diskSpaceCleanForciblyRatio=85"
    echo "deleteWhen=04"
    echo "fileReservedTime=48"
    echo "autoCreateTopicEnable=false"
    echo "autoCreateSubscriptionGroup=true"
    echo "defaultTopicQueueNums=$QUEUES"
    echo "enablePropertyFilter=true"
    echo "transactionCheckInterval=1000"
    echo "transactionTimeOut=2000"
    echo "transactionCheckMax=5"
    # RocketMQ 5.5.0 (not 5.4.0, not 4.x): once a transaction op context has been idle for
    # transactionOpBatchInterval, batchSendOpMessage computes its next wake-up from that old
    # write, so TransactionalOpBatchService loops and burns a whole core until the broker stops
    # (seen with the Java 4.9.8 client as with ours). Writing each op record at once
    # (transactionOpMsgMaxSize=1) with the timed batch pushed a day out avoids the loop; the
    # broker only records commits and rollbacks sooner than with its 3 s batches.
    echo "transactionOpMsgMaxSize=1"
    echo "transactionOpBatchInterval=86400000"
    # Test profile: levels 1 and 2 as shipped (1s, 5s); levels 3-18, which consumer retries use
    # (retry n goes to level 3+n), shortened so that retry and dead-letter tests take seconds.
    # RMQ_DELAY_LEVELS overrides the whole table.
    echo "messageDelayLevel=${RMQ_DELAY_LEVELS:-1s 5s 1s 2s 2s 2s 2s 2s 2s 2s 2s 2s 2s 2s 2s 2s 2s 2s}"
    echo "timerWheelEnable=true"
    echo "timerMaxDelaySec=31708800"
    echo "recallMessageEnable=true"
    # Message trace tests: the broker creates RMQ_SYS_TRACE_TOPIC (1 queue) at startup, as
    # auto-creation is off here.
    echo "traceTopicEnable=true"
  } >"$d/broker.conf"
  if [[ -n "$PROFILE" ]]; then
    # A request that waited 200 ms (the default) in the broker's send queue is refused with
    # "[TIMEOUT_CLEAN_QUEUE]broker busy" (code 2), seen on a loaded 2-core machine; the secured
    # profiles' tests are about ACL / TLS, not about flow control.
    echo "waitTimeMillsInSendQueue=2000" >>"$d/broker.conf"
  fi
  case "$PROFILE" in
    acl) write_acl_configs "$k" ;;
    tls) write_tls_properties "$k" ;;
  esac
}

# RMQ_PROFILE=acl. 4.x: ACL 1.0 (aclEnable + conf/plain_acl.yml). 5.x (5.3.3+ has no ACL 1.0):
# ACL 2.0 authentication; the admin account is the SUPER user made at startup, the client
# account is made with `createUser` right after startup (create_acl_users). Authorization
# (per-topic rights) is not switched on for 5.x: the client's signature is what is under test,
# and it is checked the same way with or without it. No address is whitelisted (127.0.0.1
# would skip every check). Both: conf/tools.yml holds the admin keys, which MQAdminStartup
# (and so AdminBatch) reads from $ROCKETMQ_HOME to sign its requests.
write_acl_configs() { # $1 = 4|5
  local d
  d=$(vdir "$1")
  {
    echo "accessKey: $ACL_ADMIN_AK"
    echo "secretKey: $ACL_ADMIN_SK"
  } >"$d/rocketmq-home/conf/tools.yml"
  if [[ "$(version_of "$1")" == 4.* ]]; then
    echo "aclEnable=true" >>"$d/broker.conf"
    cat >"$d/rocketmq-home/conf/plain_acl.yml" <<EOF
accounts:
  - accessKey: $ACL_ADMIN_AK
    secretKey: $ACL_ADMIN_SK
    whiteRemoteAddress:
    admin: true
  - accessKey: $ACL_CLIENT_AK
    secretKey: $ACL_CLIENT_SK
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: PUB|SUB
    defaultGroupPerm: PUB|SUB
    topicPerms:
      - $ACL_DENIED_TOPIC=DENY
EOF
  else
    {
      echo "authenticationEnabled=true"
      echo "authenticationProvider=org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider"
      echo "authenticationMetadataProvider=org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider"
      echo "initAuthenticationUser={\"username\":\"$ACL_ADMIN_AK\",\"password\":\"$ACL_ADMIN_SK\"}"
      echo "innerClientAuthenticationCredentials={\"accessKey\":\"$ACL_ADMIN_AK\",\"secretKey\":\"$ACL_ADMIN_SK\"}"
    } >>"$d/broker.conf"
  fi
}

# RMQ_PROFILE=tls: the outbound (client) side of every JVM verifies the servers against the
# test CA (the server side comes from -D options, see jvm_common).
write_tls_properties() { # $1 = 4|5
  local d
  d=$(vdir "$1")
  {
    echo "tls.test.mode.enable=false"
    echo "tls.client.authServer=true"
    echo "tls.client.trustCertPath=$(profile_tls_dir)/ca.pem"
  } >"$d/rocketmq-home/conf/tls.properties"
}

# 5.x ACL: the client account (a Normal user) on the running broker; 4.x has it in plain_acl.yml.
create_acl_users() { # KEY
  [[ "$PROFILE" == acl && "$(version_of "$1")" != 4.* ]] || return 0
  local out
  out="$(vdir "$1")/users-$(date +%s%N).out"
  echo "createUser -n $(namesrv_addr "$1") -c $CLUSTER -u $ACL_CLIENT_AK -p $ACL_CLIENT_SK -t Normal" |
    run_admin_batch "$1" >"$out" 2>&1 || true
  if ! grep -q "^create user to $HOST:$(broker_port "$1") success" "$out"; then
    log "RocketMQ $(version_of "$1"): createUser printed no success line; tool output:"
    cat "$out" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- processes
start_jvm() { # KEY NAME "JVM OPTIONS" MAIN_CLASS ARGS...
  local k=$1 name=$2 extra=$3 d
  shift 3
  d=$(vdir "$k")
  local -a opts more
  mapfile -t opts < <(jvm_common "$k" "$name")
  read -r -a more <<<"$extra"
  rm -f "$d/$name.pid"
  # The child writes its own pid, then becomes java; setsid detaches it from this script.
  (
    cd "$d"
    export ROCKETMQ_HOME="$d/rocketmq-home"
    unset NAMESRV_ADDR
    # shellcheck disable=SC2016 # expanded by the inner shell
    exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$d/$name.pid" \
      java "${opts[@]}" "${more[@]}" -cp "$(lib_dir "$k")/*" "$@" \
      </dev/null >"$d/$name.out" 2>&1 8>&- 9>&-
  ) &
}

start_namesrv() {
  start_jvm "$1" namesrv "-Xms256m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    org.apache.rocketmq.namesrv.NamesrvStartup -c "$(vdir "$1")/namesrv.conf"
}

start_broker() {
  start_jvm "$1" broker "-Xms1g -Xmx1g -XX:MaxDirectMemorySize=1g -XX:+UseG1GC \
-Drocketmq.broker.diskSpaceWarningLevelRatio=0.98 -Drocketmq.broker.diskSpaceCleanForciblyRatio=0.97" \
    org.apache.rocketmq.broker.BrokerStartup -c "$(vdir "$1")/broker.conf" -n "$(namesrv_addr "$1")"
}

# shellcheck disable=SC2016 # expanded by the inner shell
tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

alive() { # pid
  local st
  [[ -r "/proc/$1/stat" ]] || return 1
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$st" && "$st" != Z && "$st" != X ]]
}

# pids of the JVMs started from this state dir for KEY (name server, broker, admin tool):
# the pid files plus every process whose command line has -Duser.home=<state>/v<KEY>/home.
our_pids() { # KEY
  local d f pid
  d=$(vdir "$1")
  {
    for f in "$d"/*.pid; do
      [[ -s "$f" ]] && cat "$f"
    done
    grep -lzxF -- "-Duser.home=$d/home" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
  } 2>/dev/null | sort -u | while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    alive "$pid" || continue
    # guard against pid reuse: the command line must carry our state dir
    grep -qzxF -- "-Duser.home=$d/home" "/proc/$pid/cmdline" 2>/dev/null || continue
    echo "$pid"
  done
}

stop_pids() { # LABEL PIDS...
  local label=$1 pid deadline
  shift
  (($#)) || return 0
  log "stopping $label (pids $*)"
  kill -TERM "$@" 2>/dev/null || true
  deadline=$((SECONDS + ${RMQ_STOP_TIMEOUT:-15}))
  while ((SECONDS < deadline)); do
    local left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    ((left)) || return 0
    sleep 0.2
  done
  for pid in "$@"; do
    if alive "$pid"; then
      log "pid $pid did not stop within ${RMQ_STOP_TIMEOUT:-15} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

stop_all() {
  [[ -d "$STATE" ]] || return 0
  local -a pids=()
  local k
  for k in 4 5; do
    mapfile -t -O "${#pids[@]}" pids < <(our_pids "$k")
  done
  # All at once: the store is thrown away, and a graceful 5.x broker shutdown alone
  # takes ~10 s (service threads polling with 2-3 s timeouts).
  stop_pids "name servers and brokers" "${pids[@]}"
  rm -f "$STATE"/v*/*.pid
}

remove_state() {
  [[ -e "$STATE" ]] || return 0
  case "$STATE" in
    / | "$HOME" | "$HOME/" | /tmp | /tmp/ | /dev/shm | /dev/shm/) die "refusing to remove $STATE" ;;
  esac
  if [[ ! -f "$STATE/$MARKER" ]] && [[ -n "$(ls -A "$STATE" 2>/dev/null)" ]]; then
    die "$STATE exists, is not empty and was not made by this script; set RMQ_STATE elsewhere"
  fi
  rm -rf "$STATE"
}

# ---------------------------------------------------------------- remoting probes
# rmq_request HOST PORT CODE [EXTFIELDS-JSON-MEMBERS]: one RocketMQ remoting request
# (JSON header, no body) over bash's /dev/tcp; prints the raw response frame with the
# NUL bytes removed (header JSON followed by the body). RMQ_PROFILE=tls: over
# `openssl s_client` (a coprocess; -quiet keeps it open after our request), verifying the
# test CA; plain connections are closed by those servers.
RMQ_REQUEST_SH=$(
  cat <<'EOS'
if [ -n "$4" ]; then
  coproc TLS { exec openssl s_client -quiet -verify_return_error -CAfile "$4" -connect "$1:$2" 2>/dev/null; }
  trap 'kill $TLS_PID 2>/dev/null' EXIT
  exec 3>&"${TLS[1]}" 4<&"${TLS[0]}"
else
  exec 3<>"/dev/tcp/$1/$2" || exit 1
  exec 4<&3
fi
be32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
hdr=$3
printf "$(be32 $((${#hdr} + 4)))$(be32 ${#hdr})%s" "$hdr" >&3
set -- $(head -c 4 <&4 | od -An -tu1)
[ $# -eq 4 ] || exit 1
head -c $((($1 << 24) + ($2 << 16) + ($3 << 8) + $4)) <&4
EOS
)
rmq_request() {
  local hdr ca=""
  [[ "$PROFILE" == tls ]] && ca="$(profile_tls_dir)/ca.pem"
  hdr="{\"code\":$3,\"extFields\":{${4:-}},\"flag\":0,\"language\":\"JAVA\",\"opaque\":1,\"serializeTypeCurrentRPC\":\"JSON\",\"version\":399}"
  timeout 5 bash -c "$RMQ_REQUEST_SH" _ "$1" "$2" "$hdr" "$ca" 2>/dev/null | tr -d '\0'
}

broker_registered() { # KEY : GET_BROKER_CLUSTER_INFO (106) lists our broker address
  local r
  r=$(rmq_request "$HOST" "$(ns_port "$1")" 106) || return 1
  [[ "$r" == *"\"$HOST:$(broker_port "$1")\""* ]]
}

route_ok() { # KEY TOPIC QUEUES : GET_ROUTEINFO_BY_TOPIC (105) on the name server
  local r
  r=$(rmq_request "$HOST" "$(ns_port "$1")" 105 "\"topic\":\"$2\"") || return 1
  [[ "$r" == *'"code":0'* ]] &&
    [[ "$r" == *"\"readQueueNums\":$3"[,\}]* ]] &&
    [[ "$r" == *"\"writeQueueNums\":$3"[,\}]* ]] &&
    [[ "$r" == *"\"$HOST:$(broker_port "$1")\""* ]]
}

# ---------------------------------------------------------------- diagnostics
dump_logs() {
  local k d f
  for k in "$@"; do
    d=$(vdir "$k")
    [[ -d "$d" ]] || continue
    for f in "$d"/*.out "$d"/home/logs/*.log "$d"/hs_err_*.log; do
      [[ -f "$f" ]] || continue
      printf '\n----- tail of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2 || true
    done
  done
}

fail_up() { # KEYS MESSAGE
  local keys=$1
  shift
  log "ERROR: $*"
  # shellcheck disable=SC2086
  dump_logs $keys
  stop_all
  log "state kept for inspection in $STATE"
  exit 1
}

# ---------------------------------------------------------------- topics
valid_topic() { [[ "$1" =~ ^[A-Za-z0-9_%|-]{1,127}$ ]]; }

# create_topics KEY QUEUES TOPIC... : creates the topics on the cluster of KEY with
# MQAdminStartup in ONE JVM and checks the printed "success" line(s). 4.x: one
# `updateTopic` per topic. 5.x with several topics: one `updateTopicList` (a 5.x client
# shutdown can stall 3 s in NettyEventExecutor, so one admin client instead of N).
# The caller then checks the routes on the name server (wait_routes).
create_topics() {
  local k=$1 q=$2 attempt
  shift 2
  # An admin request can time out on a loaded 2-core machine (the tool's JVM, the servers
  # and a compiler all busy): try again (creating an existing topic again is harmless).
  for attempt in 1 2 3; do
    create_topics_once "$k" "$q" "$attempt" "$@" && return 0
    log "RocketMQ $(version_of "$k"): topic creation attempt $attempt failed for: $*"
  done
  return 1
}

# create_topics_once KEY QUEUES ATTEMPT TOPIC... : one try; on failure prints the tool output.
create_topics_once() {
  local k=$1 q=$2 attempt=$3 d out t missing=() batch=0
  shift 3
  d=$(vdir "$k")
  out="$d/topics-$(date +%s%N).out"
  [[ "$(version_of "$k")" != 4.* ]] && (($# > 1)) && batch=1
  if ((batch)); then
    local json sep=""
    json="$d/topics-$(date +%s%N).json"
    {
      printf '['
      for t in "$@"; do
        printf '%s{"topicName":"%s","readQueueNums":%d,"writeQueueNums":%d,"perm":6,"topicFilterType":"SINGLE_TAG","topicSysFlag":0,"order":false,"attributes":{}}' "$sep" "$t" "$q" "$q"
        sep=,
      done
      printf ']\n'
    } >"$json"
    echo "updateTopicList -n $(namesrv_addr "$k") -c $CLUSTER -f $json" | run_admin_batch "$k" >"$out" 2>&1 || true
    if ! grep -q "^submit batch of topic config to $HOST:$(broker_port "$k") success" "$out"; then
      log "RocketMQ $(version_of "$k"): updateTopicList (attempt $attempt) printed no success line; tool output:"
      cat "$out" >&2
      return 1
    fi
    return 0
  fi
  for t in "$@"; do
    echo "updateTopic -n $(namesrv_addr "$k") -c $CLUSTER -t $t -r $q -w $q"
  done | run_admin_batch "$k" >"$out" 2>&1 || true
  for t in "$@"; do
    awk -v t="$t" '
      /^@@@ / { cur = ""; for (i = 2; i < NF; i++) if ($i == "-t") cur = $(i + 1); next }
      cur == t && /^create topic to .* success/ { ok = 1 }
      END { exit ok ? 0 : 1 }' "$out" || missing+=("$t")
  done
  if ((${#missing[@]})); then
    log "RocketMQ $(version_of "$k"): no success line (attempt $attempt) for topic(s) ${missing[*]}; tool output:"
    cat "$out" >&2
    return 1
  fi
}

wait_routes() { # DEADLINE QUEUES KEYS-STRING TOPIC...
  local deadline=$1 q=$2 keys=$3 k t pending
  shift 3
  while :; do
    pending=()
    for k in $keys; do
      for t in "$@"; do
        route_ok "$k" "$t" "$q" || pending+=("$k:$t")
      done
    done
    ((${#pending[@]} == 0)) && return 0
    if ((SECONDS >= deadline)); then
      log "no route with $q queues on the name server for: ${pending[*]}"
      return 1
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- commands
cmd_fetch() {
  local k
  # shellcheck disable=SC2046
  fill_cache $(which_list "${1:-all}")
}

cmd_up() {
  local keys k t0 deadline
  keys=$(which_list "${1:-all}")
  t0=$(now)
  command -v java >/dev/null || die "java not found"
  # shellcheck disable=SC2086
  fill_cache $keys
  log "jars ready ($(elapsed "$t0") s)"

  # fresh state: stop what an earlier `up` left running, then wipe the dir
  stop_all
  remove_state
  local p
  for k in $keys; do
    for p in "$(ns_port "$k")" "$(broker_port "$k")" $(($(broker_port "$k") - 2)) $(($(broker_port "$k") + 1)); do
      tcp_open "$HOST" "$p" && die "port $p is already in use on $HOST (another broker running?)"
    done
  done
  mkdir -p "$STATE"
  touch "$STATE/$MARKER"
  log "state dir: $STATE"
  [[ "$PROFILE" == tls ]] && make_profile_tls
  for k in $keys; do write_configs "$k"; done

  local topics=()
  for t in $TOPICS ${RMQ_EXTRA_TOPICS:-}; do
    valid_topic "$t" || die "invalid topic name '$t'"
    topics+=("$t")
  done

  deadline=$((SECONDS + TIMEOUT))
  for k in $keys; do start_namesrv "$k"; done
  declare -A stage=()
  for k in $keys; do stage[$k]=namesrv; done
  local t_start=$SECONDS pending
  while :; do
    pending=0
    for k in $keys; do
      local d pid role
      d=$(vdir "$k")
      case "${stage[$k]}" in
        namesrv)
          if grep -q "boot success" "$d/namesrv.out" 2>/dev/null; then
            log "name server $(version_of "$k") up on $(namesrv_addr "$k") ($(elapsed "$t0") s)"
            start_broker "$k"
            stage[$k]=broker
          fi
          ;;
        broker)
          if grep -q "boot success" "$d/broker.out" 2>/dev/null; then
            log "broker $(version_of "$k") up on $HOST:$(broker_port "$k") ($(elapsed "$t0") s)"
            stage[$k]=register
          fi
          ;;
        register)
          if broker_registered "$k"; then
            log "broker $(version_of "$k") registered with $(namesrv_addr "$k") ($(elapsed "$t0") s)"
            # create the topics right away (overlaps with the other version's startup)
            rm -f "$d/topics.rc"
            (
              rc=0
              create_acl_users "$k" || rc=$?
              ((rc)) || create_topics "$k" "$QUEUES" "${topics[@]}" || rc=$?
              echo "$rc" >"$d/topics.rc"
            ) &
            stage[$k]=topics
          fi
          ;;
        topics)
          if [[ -s "$d/topics.rc" ]]; then
            [[ "$(<"$d/topics.rc")" == 0 ]] || fail_up "$keys" "topic creation failed on $(version_of "$k")"
            if wait_routes "$SECONDS" "$QUEUES" "$k" "${topics[@]}" 2>/dev/null; then
              log "topics of $(version_of "$k") created and routed ($(elapsed "$t0") s)"
              stage[$k]=ready
            else
              stage[$k]=routes
            fi
          fi
          ;;
        routes)
          if wait_routes "$SECONDS" "$QUEUES" "$k" "${topics[@]}" 2>/dev/null; then
            log "topic routes of $(version_of "$k") complete ($(elapsed "$t0") s)"
            stage[$k]=ready
          fi
          ;;
      esac
      [[ "${stage[$k]}" == ready ]] && continue
      pending=1
      # a process that died is a failure (pid file is written right after the fork)
      for role in namesrv broker; do
        [[ "$role" == broker && "${stage[$k]}" == namesrv ]] && continue
        if [[ -s "$d/$role.pid" ]]; then
          pid=$(<"$d/$role.pid")
          alive "$pid" || fail_up "$keys" "$role $(version_of "$k") exited during startup"
        elif ((SECONDS - t_start > 10)); then
          fail_up "$keys" "$role $(version_of "$k") did not start (no pid file)"
        fi
      done
    done
    ((pending)) || break
    if ((SECONDS >= deadline)); then
      for k in $keys; do
        if [[ "${stage[$k]}" == routes ]]; then
          wait_routes "$SECONDS" "$QUEUES" "$k" "${topics[@]}" || true
        fi
      done
      fail_up "$keys" "startup timed out after $TIMEOUT s (stages:$(for k in $keys; do printf ' %s=%s' "$(version_of "$k")" "${stage[$k]}"; done))"
    fi
    sleep 0.2
  done

  log "created ${#topics[@]} topics x $QUEUES queues: ${topics[*]}"
  for k in $keys; do
    log "RocketMQ $(version_of "$k"): name server $(namesrv_addr "$k"), broker $HOST:$(broker_port "$k")"
  done
  log "up in $(elapsed "$t0") s; logs under $STATE/v*/home/logs; eval \"\$(${PROFILE:+RMQ_PROFILE=$PROFILE }scripts/brokers.sh env)\""
}

cmd_down() {
  if [[ ! -d "$STATE" ]]; then
    log "nothing to stop ($STATE does not exist)"
    return 0
  fi
  stop_all
  if [[ "${RMQ_KEEP_STATE:-0}" == 1 ]]; then
    log "state kept in $STATE"
  else
    remove_state
    log "removed $STATE"
  fi
}

cmd_env() {
  # Secured profiles print their own names only, so that their `eval` never replaces the
  # plain pair's NAMESRV_4/5, BROKER_4/5 or RMQ_STATE.
  case "$PROFILE" in
    acl)
      echo "export RMQ_ACL_NAMESRV_4=$(namesrv_addr 4)"
      echo "export RMQ_ACL_NAMESRV_5=$(namesrv_addr 5)"
      echo "export RMQ_ACL_ACCESS_KEY=$ACL_CLIENT_AK"
      echo "export RMQ_ACL_SECRET_KEY=$ACL_CLIENT_SK"
      echo "export RMQ_ACL_ADMIN_ACCESS_KEY=$ACL_ADMIN_AK"
      echo "export RMQ_ACL_ADMIN_SECRET_KEY=$ACL_ADMIN_SK"
      # the client account has DENY on this topic on 4.x only (5.x runs without authorization)
      echo "export RMQ_ACL_DENIED_TOPIC_4=$ACL_DENIED_TOPIC"
      echo "export RMQ_ACL_STATE=$STATE"
      ;;
    tls)
      echo "export RMQ_TLS_NAMESRV_4=$(namesrv_addr 4)"
      echo "export RMQ_TLS_NAMESRV_5=$(namesrv_addr 5)"
      echo "export RMQ_TLS_CA=$(profile_tls_dir)/ca.pem"
      echo "export RMQ_TLS_WRONG_CA=$(profile_tls_dir)/wrong-ca.pem"
      echo "export RMQ_TLS_STATE=$STATE"
      ;;
  esac
  if [[ -n "$PROFILE" ]]; then
    echo "export RMQ_VERSION_4=$VERSION_4"
    echo "export RMQ_VERSION_5=$VERSION_5"
    return 0
  fi
  echo "export NAMESRV_4=$(namesrv_addr 4)"
  echo "export NAMESRV_5=$(namesrv_addr 5)"
  echo "export RMQ_VERSION_4=$VERSION_4"
  echo "export RMQ_VERSION_5=$VERSION_5"
  echo "export BROKER_4=$HOST:$BROKER_PORT_4"
  echo "export BROKER_5=$HOST:$BROKER_PORT_5"
  echo "export RMQ_STATE=$STATE"
  if [[ -s "$(tls_dir)/cert.pem" ]]; then
    echo "export RMQ_TLS_CERT=$(tls_dir)/cert.pem"
  fi
}

cmd_status() {
  local k rc=0
  for k in $(which_list "${1:-all}"); do
    if tcp_open "$HOST" "$(ns_port "$k")"; then
      echo "RocketMQ $(version_of "$k")${PROFILE:+ ($PROFILE)}: name server $(namesrv_addr "$k") up"
    else
      echo "RocketMQ $(version_of "$k")${PROFILE:+ ($PROFILE)}: name server $(namesrv_addr "$k") DOWN"
      rc=1
    fi
  done
  return $rc
}

cmd_topic() {
  local t=${1:-} q=${2:-$QUEUES} where=${3:-all} k keys=""
  [[ -n "$t" ]] || die "usage: $0 topic NAME [QUEUES] [4|5|all|NAMESRV]"
  valid_topic "$t" || die "invalid topic name '$t'"
  [[ "$q" =~ ^[1-9][0-9]*$ ]] || die "invalid queue count '$q'"
  for k in 4 5; do
    case "$where" in
      all | "$k" | "$(namesrv_addr "$k")") ;;
      *) continue ;;
    esac
    tcp_open "$HOST" "$(ns_port "$k")" && [[ -d "$(vdir "$k")" ]] && keys+=" $k"
  done
  if [[ -z "$keys" && "$where" == *:* ]]; then
    # a name server these scripts did not start (another address): every broker we run
    log "$where is none of our name servers; creating $t on every running broker"
    for k in 4 5; do
      tcp_open "$HOST" "$(ns_port "$k")" && [[ -d "$(vdir "$k")" ]] && keys+=" $k"
    done
  fi
  [[ -n "$keys" ]] || die "no running name server for '$where' (run: $0 up)"
  # The brokers may have been started from another checkout: make sure this one has the tools.
  # shellcheck disable=SC2086
  fill_cache $keys
  local -A jobs=()
  for k in $keys; do
    create_topics "$k" "$q" "$t" &
    jobs[$k]=$!
  done
  local failed=0
  for k in $keys; do wait "${jobs[$k]}" || failed=1; done
  ((failed == 0)) || die "topic creation failed"
  wait_routes $((SECONDS + 30)) "$q" "$keys" "$t" || die "no route for $t"
  log "topic $t ($q queues) created on RocketMQ$(for k in $keys; do printf ' %s' "$(version_of "$k")"; done)"
}

cmd_admin() {
  local k=${1:-}
  # a name server address of ours names its version
  [[ "$k" == "$(namesrv_addr 4)" ]] && k=4
  [[ "$k" == "$(namesrv_addr 5)" ]] && k=5
  [[ "$k" == 4 || "$k" == 5 ]] || die "usage: $0 admin 4|5|NAMESRV SUBCOMMAND [ARGS...]"
  shift
  (($#)) || die "usage: $0 admin 4|5|NAMESRV SUBCOMMAND [ARGS...]"
  fill_cache "$k"
  if [[ "$1" == --batch ]]; then
    # one JVM for many commands: each stdin line is a subcommand with its arguments (-n added);
    # the output keeps AdminBatch's "@@@ <command>" line before each command's output
    local line
    while IFS= read -r line; do
      [[ -n "${line// /}" ]] || continue
      if [[ " $line " == *" -n "* ]]; then printf '%s\n' "$line"; else printf '%s -n %s\n' "$line" "$(namesrv_addr "$k")"; fi
    done | run_admin_batch "$k"
    return
  fi
  local -a args=("$@")
  local a has_n=0
  for a in "${args[@]}"; do [[ "$a" == -n || "$a" == --namesrvAddr* ]] && has_n=1; done
  ((has_n)) || args+=(-n "$(namesrv_addr "$k")")
  local d
  d=$(vdir "$k")
  if [[ ! -d "$d/rocketmq-home/conf" ]]; then
    mkdir -p "$STATE"
    touch "$STATE/$MARKER"
    write_configs "$k"
  fi
  printf '%s\n' "${args[*]}" | run_admin_batch "$k" | grep -v '^@@@ ' || true
}

# One `up`/`down`/`topic`/`fetch` at a time per profile on this machine (the ports are
# global): each profile has its own lock, so a secured pair can start while the plain one
# creates topics. What they share, the cache, has its own short lock (fill_cache).
# fds 8 and 9 are closed for the JVMs started in the background (see start_jvm).
take_lock() {
  local f="$CACHE/.lock${PROFILE:+-$PROFILE}"
  mkdir -p "$CACHE"
  exec 9>"$f"
  if ! flock -n 9; then
    log "waiting for another scripts/brokers.sh to finish (lock $f)"
    flock -w 600 9 || die "could not get the lock $f within 600 s"
  fi
}

# fill_cache KEY... : jars of these versions, the admin helper and the plain profile's TLS
# certificate, under the cache lock (fd 8) so that two profiles never download into the same
# place at once. Quick when everything is there already.
fill_cache() {
  local k
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.cache-lock"
  flock -w 900 8 || die "could not get the lock $CACHE/.cache-lock within 900 s"
  for k in "$@"; do fetch_jars "$k"; done
  admin_batch_classes >/dev/null
  [[ "$PROFILE" == tls ]] || ensure_tls
  flock -u 8
  exec 8>&-
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case "$cmd" in
    up | down | topic | fetch) take_lock ;;
  esac
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    env) cmd_env ;;
    status) cmd_status "$@" ;;
    topic) cmd_topic "$@" ;;
    admin) cmd_admin "$@" ;;
    fetch) cmd_fetch "$@" ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
